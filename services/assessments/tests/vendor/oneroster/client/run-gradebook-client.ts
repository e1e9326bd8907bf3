// Drives the public OneRoster 1.2 client LongsightGroup/oneroster (MIT) against a gradebook service: every
// read of its gradebook and assessment-results clients that the service serves, each answer parsed by the
// client's own strict parsers. Usage: node longsight-oneroster-client.mjs <gradebook base URL> <bearer token>
// <json: {classId, lineItemId, resultId, studentId, assessmentLineItemId, assessmentResultId}>
// Not called: `fields` projections, which this client parses as whole objects (it reports the required
// members a projection leaves out as missing); test_oneroster_conformance checks our projections instead.
// Prints one JSON line per call: {"call", "ok", "count"?, "error"?}.
import {
  createOneRosterV1p2AccessToken,
  createOneRosterV1p2AssessmentResultsClient,
  createOneRosterV1p2GradebookClient,
} from "../src/v1p2/index.ts";

const [base, bearer, idsJson] = process.argv.slice(2);
const ids = JSON.parse(idsJson);
const token = createOneRosterV1p2AccessToken(bearer);
if (token._tag === "err") throw new Error(token.error.message);
const config = {
  serviceBaseUrls: { gradebook: base },
  accessTokenProvider: async () => token,
};
const gradebook = createOneRosterV1p2GradebookClient(config);
const assessment = createOneRosterV1p2AssessmentResultsClient(config);
if (gradebook._tag === "err") throw new Error(gradebook.error.message);
if (assessment._tag === "err") throw new Error(assessment.error.message);
const gb: any = gradebook.value;
const ar: any = assessment.value;
const page = { query: { limit: 1 } };
const sorted = { query: { sort: "dateLastModified", orderBy: "desc" } };
const calls: Array<[string, () => Promise<any>]> = [
  ["getAllLineItems", () => gb.getAllLineItems()],
  ["getAllLineItems limit=1", () => gb.getAllLineItems(page)],
  ["getAllLineItems sort", () => gb.getAllLineItems(sorted)],
  ["getLineItem", () => gb.getLineItem(ids.lineItemId)],
  ["getAllResults", () => gb.getAllResults()],
  ["getAllResults limit=1", () => gb.getAllResults(page)],
  ["getResult", () => gb.getResult(ids.resultId)],
  ["getLineItemsForClass", () => gb.getLineItemsForClass(ids.classId)],
  ["getResultsForClass", () => gb.getResultsForClass(ids.classId)],
  ["getResultsForLineItemForClass", () => gb.getResultsForLineItemForClass(ids.classId, ids.lineItemId)],
  ["getResultsForStudentForClass", () => gb.getResultsForStudentForClass(ids.classId, ids.studentId)],
  ["getAllAssessmentLineItems", () => ar.getAllAssessmentLineItems()],
  ["getAssessmentLineItem", () => ar.getAssessmentLineItem(ids.assessmentLineItemId)],
  ["getAllAssessmentResults", () => ar.getAllAssessmentResults()],
  ["getAssessmentResult", () => ar.getAssessmentResult(ids.assessmentResultId)],
  ["collectAllResults (pages of 1)", () => gb.collectAllResults?.({ maxPages: 10, maxItems: 100, query: { limit: 1 } }) ?? Promise.resolve({ _tag: "ok", value: { items: [] }, skipped: true })],
];
for (const [name, call] of calls) {
  try {
    const result = await call();
    if (result._tag === "ok") {
      const value = result.value;
      const count = Array.isArray(value?.items) ? value.items.length : Array.isArray(value) ? value.length : undefined;
      console.log(JSON.stringify({ call: name, ok: true, count, skipped: result.skipped === true || undefined }));
    } else {
      console.log(JSON.stringify({ call: name, ok: false, error: result.error }));
    }
  } catch (exc) {
    console.log(JSON.stringify({ call: name, ok: false, error: String(exc) }));
  }
}
