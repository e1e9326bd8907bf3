"""Every chart of the app, drawn here from the services' JSON: Vega-Lite specs built with altair, rendered to
SVG on the server by vl-convert and inlined in the page (no script, so pages work without JavaScript)."""
