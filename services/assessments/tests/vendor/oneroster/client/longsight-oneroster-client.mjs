// src/result.ts
function ok(value) {
  return { _tag: "ok", value };
}
function err(error) {
  return { _tag: "err", error };
}

// src/v1p2/model/json-value.ts
function createOneRosterV1p2PayloadDiagnostic(code, path, message) {
  return { _tag: "OneRosterV1p2PayloadDiagnostic", code, path, message };
}
function oneRosterV1p2PropertyPath(path, property) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(property) ? `${path}.${property}` : `${path}[${JSON.stringify(property)}]`;
}
function oneRosterV1p2IndexPath(path, index) {
  return `${path}[${index}]`;
}
function parseJsonValueAt(input, path) {
  if (input === null) {
    return ok(null);
  }
  if (typeof input === "string" || typeof input === "boolean") {
    return ok(input);
  }
  if (typeof input === "number") {
    return Number.isFinite(input) ? ok(input) : err([
      createOneRosterV1p2PayloadDiagnostic(
        "payload.invalid_value",
        path,
        "Expected a finite JSON number."
      )
    ]);
  }
  if (Array.isArray(input)) {
    const values = [];
    for (const [index, value] of input.entries()) {
      const parsed = parseJsonValueAt(value, oneRosterV1p2IndexPath(path, index));
      if (parsed._tag === "err") {
        return parsed;
      }
      values.push(parsed.value);
    }
    return ok(values);
  }
  if (typeof input !== "object") {
    return err([
      createOneRosterV1p2PayloadDiagnostic("payload.invalid_type", path, "Expected a JSON value.")
    ]);
  }
  const prototype = Object.getPrototypeOf(input);
  if (prototype !== Object.prototype && prototype !== null) {
    return err([
      createOneRosterV1p2PayloadDiagnostic("payload.invalid_type", path, "Expected a JSON object.")
    ]);
  }
  if (!isUnknownRecord(input)) {
    return err([
      createOneRosterV1p2PayloadDiagnostic("payload.invalid_type", path, "Expected a JSON object.")
    ]);
  }
  const record = input;
  const result = {};
  for (const [key, value] of Object.entries(record)) {
    const parsed = parseJsonValueAt(value, oneRosterV1p2PropertyPath(path, key));
    if (parsed._tag === "err") {
      return parsed;
    }
    result[key] = parsed.value;
  }
  return ok(result);
}
function parseOneRosterV1p2MetadataAt(input, path) {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return err([
      createOneRosterV1p2PayloadDiagnostic(
        "payload.invalid_metadata",
        path,
        "Metadata must be a JSON object."
      )
    ]);
  }
  const parsed = parseJsonValueAt(input, path);
  if (parsed._tag === "err") {
    return parsed;
  }
  if (!isOneRosterV1p2JsonObject(parsed.value)) {
    return err([
      createOneRosterV1p2PayloadDiagnostic(
        "payload.invalid_metadata",
        path,
        "Metadata must be a JSON object."
      )
    ]);
  }
  return ok(parsed.value);
}
function isOneRosterV1p2JsonObject(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}
function isUnknownRecord(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}

// src/v1p2/model/primitive.ts
function invalid(code, path, message) {
  return err([createOneRosterV1p2PayloadDiagnostic(code, path, message)]);
}
function parseOneRosterV1p2StringAt(input, path) {
  if (typeof input !== "string") {
    return invalid("payload.invalid_type", path, "Expected a string.");
  }
  if (input.length === 0) {
    return invalid("payload.invalid_value", path, "Expected a non-empty string.");
  }
  return ok(input);
}
function parseOneRosterV1p2SourcedIdAt(input, path) {
  const parsed = parseOneRosterV1p2StringAt(input, path);
  if (parsed._tag === "err") {
    return parsed;
  }
  return ok(parsed.value);
}
function parseOneRosterV1p2SourcedId(input) {
  return parseOneRosterV1p2SourcedIdAt(input, "$");
}
function parseOneRosterV1p2UriAt(input, path) {
  const parsed = parseOneRosterV1p2StringAt(input, path);
  if (parsed._tag === "err") {
    return parsed;
  }
  try {
    const parsedUri = new URL(parsed.value);
    if (parsedUri.href.length === 0) {
      return invalid("payload.invalid_format", path, "Expected an absolute URI.");
    }
  } catch (cause) {
    void cause;
    return invalid("payload.invalid_format", path, "Expected an absolute URI.");
  }
  return ok(parsed.value);
}
function parseOneRosterV1p2DateAt(input, path) {
  const parsed = parseOneRosterV1p2StringAt(input, path);
  if (parsed._tag === "err") {
    return parsed;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parsed.value)) {
    return invalid("payload.invalid_format", path, "Expected an ISO calendar date.");
  }
  const date = /* @__PURE__ */ new Date(`${parsed.value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== parsed.value) {
    return invalid("payload.invalid_format", path, "Expected a valid ISO calendar date.");
  }
  return ok(parsed.value);
}
function parseOneRosterV1p2DateTimeAt(input, path) {
  const parsed = parseOneRosterV1p2StringAt(input, path);
  if (parsed._tag === "err") {
    return parsed;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|\+00:00)$/.test(parsed.value)) {
    return invalid(
      "payload.invalid_format",
      path,
      "Expected an RFC 3339 instant with an explicit UTC timezone."
    );
  }
  const time = new Date(parsed.value);
  if (Number.isNaN(time.getTime())) {
    return invalid("payload.invalid_format", path, "Expected a valid UTC instant.");
  }
  return ok(time.toISOString());
}
function parseOneRosterV1p2NumberAt(input, path) {
  return typeof input === "number" && Number.isFinite(input) ? ok(input) : invalid("payload.invalid_type", path, "Expected a finite number.");
}
function parseOneRosterV1p2ArrayAt(input, path, parser10, minimumLength = 0) {
  if (!Array.isArray(input)) {
    return invalid("payload.invalid_type", path, "Expected an array.");
  }
  if (input.length < minimumLength) {
    return invalid("payload.invalid_value", path, "The array has too few items.");
  }
  const values = [];
  for (const [index, value] of input.entries()) {
    const parsed = parser10(value, oneRosterV1p2IndexPath(path, index));
    if (parsed._tag === "err") {
      return parsed;
    }
    values.push(parsed.value);
  }
  return ok(values);
}
function parseOneRosterV1p2FixedTokenAt(input, path, tokens) {
  const parsed = parseOneRosterV1p2StringAt(input, path);
  if (parsed._tag === "err") {
    return parsed;
  }
  const token2 = tokens.find((candidate) => candidate === parsed.value);
  return token2 === void 0 ? invalid("payload.invalid_value", path, "The value is not in the required vocabulary.") : ok(token2);
}
function parseOneRosterV1p2KnownOrExtensionTokenAt(input, path, tokens) {
  const parsed = parseOneRosterV1p2StringAt(input, path);
  if (parsed._tag === "err") {
    return parsed;
  }
  const token2 = tokens.find((candidate) => candidate === parsed.value);
  if (token2 !== void 0) {
    return ok(token2);
  }
  if (!/^ext:[a-zA-Z0-9._-]+$/.test(parsed.value)) {
    return invalid(
      "payload.invalid_value",
      path,
      "The value is not a known or valid extension token."
    );
  }
  return ok(parsed.value);
}
function parseOneRosterV1p2LifecycleStatusAt(input, path) {
  return parseOneRosterV1p2FixedTokenAt(input, path, ["active", "tobedeleted"]);
}
function parseOneRosterV1p2BooleanTokenAt(input, path) {
  const parsed = parseOneRosterV1p2FixedTokenAt(input, path, ["true", "false"]);
  return parsed;
}

// src/v1p2/model/entity.ts
function parseOneRosterV1p2RecordAt(input, path) {
  if (!isOneRosterV1p2Record(input)) {
    return err([
      createOneRosterV1p2PayloadDiagnostic("payload.invalid_type", path, "Expected a JSON object.")
    ]);
  }
  return ok(input);
}
function hasOneRosterV1p2Property(record, property) {
  return Object.hasOwn(record, property);
}
function requireOneRosterV1p2Property(record, property, path, parser10) {
  if (!hasOneRosterV1p2Property(record, property)) {
    return err([
      createOneRosterV1p2PayloadDiagnostic(
        "payload.missing_property",
        oneRosterV1p2PropertyPath(path, property),
        "A required property is missing."
      )
    ]);
  }
  return parser10(record[property], oneRosterV1p2PropertyPath(path, property));
}
function optionalOneRosterV1p2Property(record, property, path, parser10) {
  if (!hasOneRosterV1p2Property(record, property)) {
    return ok(void 0);
  }
  return parser10(record[property], oneRosterV1p2PropertyPath(path, property));
}
function rejectUnknownOneRosterV1p2Properties(record, allowedProperties, path) {
  for (const property of Object.keys(record)) {
    if (!allowedProperties.has(property)) {
      return err([
        createOneRosterV1p2PayloadDiagnostic(
          "payload.unknown_property",
          oneRosterV1p2PropertyPath(path, property),
          "The property is not part of the OneRoster information model."
        )
      ]);
    }
  }
  return ok(void 0);
}
function parseOneRosterV1p2EntityBaseRecordAt(record, path) {
  const sourcedId = requireOneRosterV1p2Property(
    record,
    "sourcedId",
    path,
    (value, nestedPath) => parseOneRosterV1p2SourcedIdAt(value, nestedPath)
  );
  if (sourcedId._tag === "err") {
    return sourcedId;
  }
  const status = requireOneRosterV1p2Property(
    record,
    "status",
    path,
    (value, nestedPath) => parseOneRosterV1p2LifecycleStatusAt(value, nestedPath)
  );
  if (status._tag === "err") {
    return status;
  }
  const dateLastModified = requireOneRosterV1p2Property(
    record,
    "dateLastModified",
    path,
    (value, nestedPath) => parseOneRosterV1p2DateTimeAt(value, nestedPath)
  );
  if (dateLastModified._tag === "err") {
    return dateLastModified;
  }
  const metadata = optionalOneRosterV1p2Property(
    record,
    "metadata",
    path,
    (value, nestedPath) => parseOneRosterV1p2MetadataAt(value, nestedPath)
  );
  if (metadata._tag === "err") {
    return metadata;
  }
  return ok({
    sourcedId: sourcedId.value,
    status: status.value,
    dateLastModified: dateLastModified.value,
    ...metadata.value === void 0 ? {} : { metadata: metadata.value }
  });
}
function isOneRosterV1p2Record(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}

// src/v1p2/model/reference.ts
function parseOneRosterV1p2ReferenceAt(input, expectedType, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") {
    return record;
  }
  const allowed = /* @__PURE__ */ new Set(["href", "sourcedId", "type"]);
  for (const property of Object.keys(record.value)) {
    if (!allowed.has(property)) {
      return err([
        createOneRosterV1p2PayloadDiagnostic(
          "payload.unknown_property",
          `${path}.${property}`,
          "A reference contains an unknown property."
        )
      ]);
    }
  }
  const href = requireOneRosterV1p2Property(
    record.value,
    "href",
    path,
    (value, nestedPath) => parseOneRosterV1p2UriAt(value, nestedPath)
  );
  if (href._tag === "err") {
    return href;
  }
  const sourcedId = requireOneRosterV1p2Property(
    record.value,
    "sourcedId",
    path,
    (value) => parseOneRosterV1p2SourcedId(value)
  );
  if (sourcedId._tag === "err") {
    return sourcedId;
  }
  const type = requireOneRosterV1p2Property(
    record.value,
    "type",
    path,
    (value, nestedPath) => parseOneRosterV1p2FixedTokenAt(value, nestedPath, [expectedType])
  );
  if (type._tag === "err") {
    return type;
  }
  return ok({ href: href.value, sourcedId: sourcedId.value, type: type.value });
}

// src/v1p2/model/academic-session.ts
var ref = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
function parseAcademicSessionAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "title",
      "startDate",
      "endDate",
      "type",
      "parent",
      "children",
      "schoolYear"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const title = requireOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const startDate = requireOneRosterV1p2Property(
    record.value,
    "startDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (startDate._tag === "err") return startDate;
  const endDate = requireOneRosterV1p2Property(
    record.value,
    "endDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (endDate._tag === "err") return endDate;
  const type = requireOneRosterV1p2Property(
    record.value,
    "type",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "gradingPeriod",
      "semester",
      "schoolYear",
      "term"
    ])
  );
  if (type._tag === "err") return type;
  const schoolYear = requireOneRosterV1p2Property(
    record.value,
    "schoolYear",
    path,
    parseOneRosterV1p2StringAt
  );
  if (schoolYear._tag === "err") return schoolYear;
  const parent = optionalOneRosterV1p2Property(
    record.value,
    "parent",
    path,
    ref("academicSession")
  );
  if (parent._tag === "err") return parent;
  const children = optionalOneRosterV1p2Property(
    record.value,
    "children",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, ref("academicSession"))
  );
  if (children._tag === "err") return children;
  return ok({
    ...base2.value,
    title: title.value,
    startDate: startDate.value,
    endDate: endDate.value,
    type: type.value,
    schoolYear: schoolYear.value,
    ...parent.value === void 0 ? {} : { parent: parent.value },
    ...children.value === void 0 ? {} : { children: children.value }
  });
}
function parser(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2AcademicSession = parser(parseAcademicSessionAt);

// src/v1p2/model/class.ts
var ref2 = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
var stringArray = (input, path) => parseOneRosterV1p2ArrayAt(input, path, parseOneRosterV1p2StringAt);
function parseClassAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "title",
      "classCode",
      "classType",
      "location",
      "grades",
      "subjects",
      "course",
      "school",
      "terms",
      "subjectCodes",
      "periods",
      "resources"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const title = requireOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const classCode = optionalOneRosterV1p2Property(
    record.value,
    "classCode",
    path,
    parseOneRosterV1p2StringAt
  );
  if (classCode._tag === "err") return classCode;
  const classType = optionalOneRosterV1p2Property(
    record.value,
    "classType",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "homeroom",
      "scheduled"
    ])
  );
  if (classType._tag === "err") return classType;
  const location = optionalOneRosterV1p2Property(
    record.value,
    "location",
    path,
    parseOneRosterV1p2StringAt
  );
  if (location._tag === "err") return location;
  const grades = optionalOneRosterV1p2Property(record.value, "grades", path, stringArray);
  if (grades._tag === "err") return grades;
  const subjects = optionalOneRosterV1p2Property(record.value, "subjects", path, stringArray);
  if (subjects._tag === "err") return subjects;
  const course = requireOneRosterV1p2Property(record.value, "course", path, ref2("course"));
  if (course._tag === "err") return course;
  const school = requireOneRosterV1p2Property(record.value, "school", path, ref2("org"));
  if (school._tag === "err") return school;
  const terms = requireOneRosterV1p2Property(
    record.value,
    "terms",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, ref2("academicSession"), 1)
  );
  if (terms._tag === "err") return terms;
  const subjectCodes = optionalOneRosterV1p2Property(
    record.value,
    "subjectCodes",
    path,
    stringArray
  );
  if (subjectCodes._tag === "err") return subjectCodes;
  const periods = optionalOneRosterV1p2Property(record.value, "periods", path, stringArray);
  if (periods._tag === "err") return periods;
  const resources = optionalOneRosterV1p2Property(
    record.value,
    "resources",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, ref2("resource"))
  );
  if (resources._tag === "err") return resources;
  return ok({
    ...base2.value,
    title: title.value,
    ...classCode.value === void 0 ? {} : { classCode: classCode.value },
    ...classType.value === void 0 ? {} : { classType: classType.value },
    ...location.value === void 0 ? {} : { location: location.value },
    ...grades.value === void 0 ? {} : { grades: grades.value },
    ...subjects.value === void 0 ? {} : { subjects: subjects.value },
    course: course.value,
    school: school.value,
    terms: terms.value,
    ...subjectCodes.value === void 0 ? {} : { subjectCodes: subjectCodes.value },
    ...periods.value === void 0 ? {} : { periods: periods.value },
    ...resources.value === void 0 ? {} : { resources: resources.value }
  });
}
function parser2(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2Class = parser2(parseClassAt);

// src/v1p2/model/course.ts
var ref3 = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
var stringArray2 = (input, path) => parseOneRosterV1p2ArrayAt(input, path, parseOneRosterV1p2StringAt);
function parseCourseAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "title",
      "schoolYear",
      "courseCode",
      "grades",
      "subjects",
      "org",
      "subjectCodes",
      "resources"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const title = requireOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const courseCode = requireOneRosterV1p2Property(
    record.value,
    "courseCode",
    path,
    parseOneRosterV1p2StringAt
  );
  if (courseCode._tag === "err") return courseCode;
  const schoolYear = optionalOneRosterV1p2Property(
    record.value,
    "schoolYear",
    path,
    ref3("academicSession")
  );
  if (schoolYear._tag === "err") return schoolYear;
  const grades = optionalOneRosterV1p2Property(record.value, "grades", path, stringArray2);
  if (grades._tag === "err") return grades;
  const subjects = optionalOneRosterV1p2Property(record.value, "subjects", path, stringArray2);
  if (subjects._tag === "err") return subjects;
  const org = optionalOneRosterV1p2Property(record.value, "org", path, ref3("org"));
  if (org._tag === "err") return org;
  const subjectCodes = optionalOneRosterV1p2Property(
    record.value,
    "subjectCodes",
    path,
    stringArray2
  );
  if (subjectCodes._tag === "err") return subjectCodes;
  const resources = optionalOneRosterV1p2Property(
    record.value,
    "resources",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, ref3("resource"))
  );
  if (resources._tag === "err") return resources;
  return ok({
    ...base2.value,
    title: title.value,
    courseCode: courseCode.value,
    ...schoolYear.value === void 0 ? {} : { schoolYear: schoolYear.value },
    ...grades.value === void 0 ? {} : { grades: grades.value },
    ...subjects.value === void 0 ? {} : { subjects: subjects.value },
    ...org.value === void 0 ? {} : { org: org.value },
    ...subjectCodes.value === void 0 ? {} : { subjectCodes: subjectCodes.value },
    ...resources.value === void 0 ? {} : { resources: resources.value }
  });
}
function parser3(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2Course = parser3(parseCourseAt);

// src/v1p2/model/demographics.ts
function parseDemographicsAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const allowed = /* @__PURE__ */ new Set([
    "sourcedId",
    "status",
    "dateLastModified",
    "metadata",
    "birthDate",
    "sex",
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
    "countryOfBirthCode",
    "stateOfBirthAbbreviation",
    "cityOfBirth",
    "publicSchoolResidenceStatus"
  ]);
  const unknown = rejectUnknownOneRosterV1p2Properties(record.value, allowed, path);
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const birthDate = optionalOneRosterV1p2Property(
    record.value,
    "birthDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (birthDate._tag === "err") return birthDate;
  const sex = optionalOneRosterV1p2Property(
    record.value,
    "sex",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "male",
      "female",
      "unspecified",
      "other"
    ])
  );
  if (sex._tag === "err") return sex;
  const bool = (property) => optionalOneRosterV1p2Property(record.value, property, path, parseOneRosterV1p2BooleanTokenAt);
  const americanIndianOrAlaskaNative = bool("americanIndianOrAlaskaNative");
  if (americanIndianOrAlaskaNative._tag === "err") return americanIndianOrAlaskaNative;
  const asian = bool("asian");
  if (asian._tag === "err") return asian;
  const blackOrAfricanAmerican = bool("blackOrAfricanAmerican");
  if (blackOrAfricanAmerican._tag === "err") return blackOrAfricanAmerican;
  const nativeHawaiianOrOtherPacificIslander = bool("nativeHawaiianOrOtherPacificIslander");
  if (nativeHawaiianOrOtherPacificIslander._tag === "err")
    return nativeHawaiianOrOtherPacificIslander;
  const white = bool("white");
  if (white._tag === "err") return white;
  const demographicRaceTwoOrMoreRaces = bool("demographicRaceTwoOrMoreRaces");
  if (demographicRaceTwoOrMoreRaces._tag === "err") return demographicRaceTwoOrMoreRaces;
  const hispanicOrLatinoEthnicity = bool("hispanicOrLatinoEthnicity");
  if (hispanicOrLatinoEthnicity._tag === "err") return hispanicOrLatinoEthnicity;
  const countryOfBirthCode = optionalOneRosterV1p2Property(
    record.value,
    "countryOfBirthCode",
    path,
    parseOneRosterV1p2StringAt
  );
  if (countryOfBirthCode._tag === "err") return countryOfBirthCode;
  const stateOfBirthAbbreviation = optionalOneRosterV1p2Property(
    record.value,
    "stateOfBirthAbbreviation",
    path,
    parseOneRosterV1p2StringAt
  );
  if (stateOfBirthAbbreviation._tag === "err") return stateOfBirthAbbreviation;
  const cityOfBirth = optionalOneRosterV1p2Property(
    record.value,
    "cityOfBirth",
    path,
    parseOneRosterV1p2StringAt
  );
  if (cityOfBirth._tag === "err") return cityOfBirth;
  const publicSchoolResidenceStatus = optionalOneRosterV1p2Property(
    record.value,
    "publicSchoolResidenceStatus",
    path,
    parseOneRosterV1p2StringAt
  );
  if (publicSchoolResidenceStatus._tag === "err") return publicSchoolResidenceStatus;
  return ok({
    ...base2.value,
    ...birthDate.value === void 0 ? {} : { birthDate: birthDate.value },
    ...sex.value === void 0 ? {} : { sex: sex.value },
    ...americanIndianOrAlaskaNative.value === void 0 ? {} : { americanIndianOrAlaskaNative: americanIndianOrAlaskaNative.value },
    ...asian.value === void 0 ? {} : { asian: asian.value },
    ...blackOrAfricanAmerican.value === void 0 ? {} : { blackOrAfricanAmerican: blackOrAfricanAmerican.value },
    ...nativeHawaiianOrOtherPacificIslander.value === void 0 ? {} : { nativeHawaiianOrOtherPacificIslander: nativeHawaiianOrOtherPacificIslander.value },
    ...white.value === void 0 ? {} : { white: white.value },
    ...demographicRaceTwoOrMoreRaces.value === void 0 ? {} : { demographicRaceTwoOrMoreRaces: demographicRaceTwoOrMoreRaces.value },
    ...hispanicOrLatinoEthnicity.value === void 0 ? {} : { hispanicOrLatinoEthnicity: hispanicOrLatinoEthnicity.value },
    ...countryOfBirthCode.value === void 0 ? {} : { countryOfBirthCode: countryOfBirthCode.value },
    ...stateOfBirthAbbreviation.value === void 0 ? {} : { stateOfBirthAbbreviation: stateOfBirthAbbreviation.value },
    ...cityOfBirth.value === void 0 ? {} : { cityOfBirth: cityOfBirth.value },
    ...publicSchoolResidenceStatus.value === void 0 ? {} : { publicSchoolResidenceStatus: publicSchoolResidenceStatus.value }
  });
}
function parser4(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2Demographics = parser4(parseDemographicsAt);

// src/v1p2/model/enrollment.ts
var ref4 = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
function parseEnrollmentAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "user",
      "class",
      "school",
      "role",
      "primary",
      "beginDate",
      "endDate"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const user = requireOneRosterV1p2Property(record.value, "user", path, ref4("user"));
  if (user._tag === "err") return user;
  const classRef = requireOneRosterV1p2Property(record.value, "class", path, ref4("class"));
  if (classRef._tag === "err") return classRef;
  const school = requireOneRosterV1p2Property(record.value, "school", path, ref4("org"));
  if (school._tag === "err") return school;
  const role = requireOneRosterV1p2Property(
    record.value,
    "role",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "administrator",
      "proctor",
      "student",
      "teacher"
    ])
  );
  if (role._tag === "err") return role;
  const primary = requireOneRosterV1p2Property(
    record.value,
    "primary",
    path,
    parseOneRosterV1p2BooleanTokenAt
  );
  if (primary._tag === "err") return primary;
  const beginDate = optionalOneRosterV1p2Property(
    record.value,
    "beginDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (beginDate._tag === "err") return beginDate;
  const endDate = optionalOneRosterV1p2Property(
    record.value,
    "endDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (endDate._tag === "err") return endDate;
  return ok({
    ...base2.value,
    user: user.value,
    class: classRef.value,
    school: school.value,
    role: role.value,
    primary: primary.value,
    ...beginDate.value === void 0 ? {} : { beginDate: beginDate.value },
    ...endDate.value === void 0 ? {} : { endDate: endDate.value }
  });
}
function parser5(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2Enrollment = parser5(parseEnrollmentAt);

// src/v1p2/model/org.ts
var ref5 = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
function parseOrgAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "name",
      "type",
      "identifier",
      "parent",
      "children"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const name = requireOneRosterV1p2Property(record.value, "name", path, parseOneRosterV1p2StringAt);
  if (name._tag === "err") return name;
  const type = requireOneRosterV1p2Property(
    record.value,
    "type",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "department",
      "district",
      "local",
      "national",
      "school",
      "state"
    ])
  );
  if (type._tag === "err") return type;
  const identifier = requireOneRosterV1p2Property(
    record.value,
    "identifier",
    path,
    parseOneRosterV1p2StringAt
  );
  if (identifier._tag === "err") return identifier;
  const parent = optionalOneRosterV1p2Property(record.value, "parent", path, ref5("org"));
  if (parent._tag === "err") return parent;
  const children = optionalOneRosterV1p2Property(
    record.value,
    "children",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, ref5("org"))
  );
  if (children._tag === "err") return children;
  return ok({
    ...base2.value,
    name: name.value,
    type: type.value,
    identifier: identifier.value,
    ...parent.value === void 0 ? {} : { parent: parent.value },
    ...children.value === void 0 ? {} : { children: children.value }
  });
}
function parser6(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2Org = parser6(parseOrgAt);

// src/v1p2/model/user.ts
var ref6 = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
var stringArray3 = (input, path) => parseOneRosterV1p2ArrayAt(input, path, parseOneRosterV1p2StringAt);
var roleParser = parseRoleAt;
var credentialParser = parseCredentialAt;
var userIdParser = parseUserIdAt;
var userProfileParser = parseUserProfileAt;
function parseCredentialAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["type", "username", "password"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const type = requireOneRosterV1p2Property(record.value, "type", path, parseOneRosterV1p2StringAt);
  if (type._tag === "err") return type;
  const username = requireOneRosterV1p2Property(
    record.value,
    "username",
    path,
    parseOneRosterV1p2StringAt
  );
  if (username._tag === "err") return username;
  const password = optionalOneRosterV1p2Property(
    record.value,
    "password",
    path,
    parseOneRosterV1p2StringAt
  );
  if (password._tag === "err") return password;
  return ok({
    type: type.value,
    username: username.value,
    ...password.value === void 0 ? {} : { password: password.value }
  });
}
function parseUserIdAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["type", "identifier"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const type = requireOneRosterV1p2Property(record.value, "type", path, parseOneRosterV1p2StringAt);
  if (type._tag === "err") return type;
  const identifier = requireOneRosterV1p2Property(
    record.value,
    "identifier",
    path,
    parseOneRosterV1p2StringAt
  );
  if (identifier._tag === "err") return identifier;
  return ok({ type: type.value, identifier: identifier.value });
}
function parseUserProfileAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "profileId",
      "profileType",
      "vendorId",
      "applicationId",
      "description",
      "credentials"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const profileId = requireOneRosterV1p2Property(
    record.value,
    "profileId",
    path,
    parseOneRosterV1p2UriAt
  );
  if (profileId._tag === "err") return profileId;
  const profileType = requireOneRosterV1p2Property(
    record.value,
    "profileType",
    path,
    parseOneRosterV1p2StringAt
  );
  if (profileType._tag === "err") return profileType;
  const vendorId = requireOneRosterV1p2Property(
    record.value,
    "vendorId",
    path,
    parseOneRosterV1p2StringAt
  );
  if (vendorId._tag === "err") return vendorId;
  const applicationId = optionalOneRosterV1p2Property(
    record.value,
    "applicationId",
    path,
    parseOneRosterV1p2StringAt
  );
  if (applicationId._tag === "err") return applicationId;
  const description = optionalOneRosterV1p2Property(
    record.value,
    "description",
    path,
    parseOneRosterV1p2StringAt
  );
  if (description._tag === "err") return description;
  const credentials = optionalOneRosterV1p2Property(
    record.value,
    "credentials",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, credentialParser)
  );
  if (credentials._tag === "err") return credentials;
  return ok({
    profileId: profileId.value,
    profileType: profileType.value,
    vendorId: vendorId.value,
    ...applicationId.value === void 0 ? {} : { applicationId: applicationId.value },
    ...description.value === void 0 ? {} : { description: description.value },
    ...credentials.value === void 0 ? {} : { credentials: credentials.value }
  });
}
function parseRoleAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["roleType", "role", "org", "userProfile", "beginDate", "endDate"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const roleType = requireOneRosterV1p2Property(
    record.value,
    "roleType",
    path,
    (value, nestedPath) => parseOneRosterV1p2FixedTokenAt(value, nestedPath, ["primary", "secondary"])
  );
  if (roleType._tag === "err") return roleType;
  const role = requireOneRosterV1p2Property(
    record.value,
    "role",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "aide",
      "counselor",
      "districtAdministrator",
      "guardian",
      "parent",
      "principal",
      "proctor",
      "relative",
      "siteAdministrator",
      "student",
      "systemAdministrator",
      "teacher"
    ])
  );
  if (role._tag === "err") return role;
  const org = requireOneRosterV1p2Property(record.value, "org", path, ref6("org"));
  if (org._tag === "err") return org;
  const userProfile = optionalOneRosterV1p2Property(
    record.value,
    "userProfile",
    path,
    parseOneRosterV1p2UriAt
  );
  if (userProfile._tag === "err") return userProfile;
  const beginDate = optionalOneRosterV1p2Property(
    record.value,
    "beginDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (beginDate._tag === "err") return beginDate;
  const endDate = optionalOneRosterV1p2Property(
    record.value,
    "endDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (endDate._tag === "err") return endDate;
  return ok({
    roleType: roleType.value,
    role: role.value,
    org: org.value,
    ...userProfile.value === void 0 ? {} : { userProfile: userProfile.value },
    ...beginDate.value === void 0 ? {} : { beginDate: beginDate.value },
    ...endDate.value === void 0 ? {} : { endDate: endDate.value }
  });
}
function parseUserAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const allowed = /* @__PURE__ */ new Set([
    "sourcedId",
    "status",
    "dateLastModified",
    "metadata",
    "userMasterIdentifier",
    "username",
    "userIds",
    "enabledUser",
    "givenName",
    "familyName",
    "middleName",
    "preferredFirstName",
    "preferredMiddleName",
    "preferredLastName",
    "pronouns",
    "roles",
    "userProfiles",
    "primaryOrg",
    "identifier",
    "email",
    "sms",
    "phone",
    "agents",
    "grades",
    "password",
    "resources"
  ]);
  const unknown = rejectUnknownOneRosterV1p2Properties(record.value, allowed, path);
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const enabledUser = requireOneRosterV1p2Property(
    record.value,
    "enabledUser",
    path,
    parseOneRosterV1p2BooleanTokenAt
  );
  if (enabledUser._tag === "err") return enabledUser;
  const givenName = requireOneRosterV1p2Property(
    record.value,
    "givenName",
    path,
    parseOneRosterV1p2StringAt
  );
  if (givenName._tag === "err") return givenName;
  const familyName = requireOneRosterV1p2Property(
    record.value,
    "familyName",
    path,
    parseOneRosterV1p2StringAt
  );
  if (familyName._tag === "err") return familyName;
  const roles = requireOneRosterV1p2Property(
    record.value,
    "roles",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, roleParser, 1)
  );
  if (roles._tag === "err") return roles;
  const stringOption = (property) => optionalOneRosterV1p2Property(record.value, property, path, parseOneRosterV1p2StringAt);
  const userMasterIdentifier = stringOption("userMasterIdentifier");
  if (userMasterIdentifier._tag === "err") return userMasterIdentifier;
  const username = stringOption("username");
  if (username._tag === "err") return username;
  const middleName = stringOption("middleName");
  if (middleName._tag === "err") return middleName;
  const preferredFirstName = stringOption("preferredFirstName");
  if (preferredFirstName._tag === "err") return preferredFirstName;
  const preferredMiddleName = stringOption("preferredMiddleName");
  if (preferredMiddleName._tag === "err") return preferredMiddleName;
  const preferredLastName = stringOption("preferredLastName");
  if (preferredLastName._tag === "err") return preferredLastName;
  const pronouns = stringOption("pronouns");
  if (pronouns._tag === "err") return pronouns;
  const identifier = stringOption("identifier");
  if (identifier._tag === "err") return identifier;
  const email = stringOption("email");
  if (email._tag === "err") return email;
  const sms = stringOption("sms");
  if (sms._tag === "err") return sms;
  const phone = stringOption("phone");
  if (phone._tag === "err") return phone;
  const password = stringOption("password");
  if (password._tag === "err") return password;
  const userIds = optionalOneRosterV1p2Property(
    record.value,
    "userIds",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, userIdParser)
  );
  if (userIds._tag === "err") return userIds;
  const userProfiles = optionalOneRosterV1p2Property(
    record.value,
    "userProfiles",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, userProfileParser)
  );
  if (userProfiles._tag === "err") return userProfiles;
  const primaryOrg = optionalOneRosterV1p2Property(record.value, "primaryOrg", path, ref6("org"));
  if (primaryOrg._tag === "err") return primaryOrg;
  const agents = optionalOneRosterV1p2Property(
    record.value,
    "agents",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, ref6("user"))
  );
  if (agents._tag === "err") return agents;
  const grades = optionalOneRosterV1p2Property(record.value, "grades", path, stringArray3);
  if (grades._tag === "err") return grades;
  const resources = optionalOneRosterV1p2Property(
    record.value,
    "resources",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, ref6("resource"))
  );
  if (resources._tag === "err") return resources;
  return ok({
    ...base2.value,
    enabledUser: enabledUser.value,
    givenName: givenName.value,
    familyName: familyName.value,
    roles: roles.value,
    ...userMasterIdentifier.value === void 0 ? {} : { userMasterIdentifier: userMasterIdentifier.value },
    ...username.value === void 0 ? {} : { username: username.value },
    ...userIds.value === void 0 ? {} : { userIds: userIds.value },
    ...middleName.value === void 0 ? {} : { middleName: middleName.value },
    ...preferredFirstName.value === void 0 ? {} : { preferredFirstName: preferredFirstName.value },
    ...preferredMiddleName.value === void 0 ? {} : { preferredMiddleName: preferredMiddleName.value },
    ...preferredLastName.value === void 0 ? {} : { preferredLastName: preferredLastName.value },
    ...pronouns.value === void 0 ? {} : { pronouns: pronouns.value },
    ...userProfiles.value === void 0 ? {} : { userProfiles: userProfiles.value },
    ...primaryOrg.value === void 0 ? {} : { primaryOrg: primaryOrg.value },
    ...identifier.value === void 0 ? {} : { identifier: identifier.value },
    ...email.value === void 0 ? {} : { email: email.value },
    ...sms.value === void 0 ? {} : { sms: sms.value },
    ...phone.value === void 0 ? {} : { phone: phone.value },
    ...agents.value === void 0 ? {} : { agents: agents.value },
    ...grades.value === void 0 ? {} : { grades: grades.value },
    ...password.value === void 0 ? {} : { password: password.value },
    ...resources.value === void 0 ? {} : { resources: resources.value }
  });
}
function parser7(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2User = parser7(parseUserAt);

// src/v1p2/model/gradebook-parsing.ts
var gradebookReference = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
function parseLearningSourceAt(input, path) {
  const value = parseOneRosterV1p2StringAt(input, path);
  if (value._tag === "err") return value;
  if (value.value === "case" || value.value === "unknown") return ok(value.value);
  if (!/^\/(?!case$)(?!unknown$)[a-z0-9]+$/.test(value.value)) {
    return {
      _tag: "err",
      error: [
        {
          _tag: "OneRosterV1p2PayloadDiagnostic",
          code: "payload.invalid_value",
          path,
          message: "The learning-objective source is not valid."
        }
      ]
    };
  }
  return ok(value.value);
}
function parseLearningObjectiveSetAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["source", "learningObjectiveIds"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const source = requireOneRosterV1p2Property(record.value, "source", path, parseLearningSourceAt);
  if (source._tag === "err") return source;
  const learningObjectiveIds = requireOneRosterV1p2Property(
    record.value,
    "learningObjectiveIds",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseOneRosterV1p2StringAt, 1)
  );
  if (learningObjectiveIds._tag === "err") return learningObjectiveIds;
  return ok({ source: source.value, learningObjectiveIds: learningObjectiveIds.value });
}
function parseLearningObjectiveResultAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["learningObjectiveId", "score", "textScore"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const learningObjectiveId = requireOneRosterV1p2Property(
    record.value,
    "learningObjectiveId",
    path,
    parseOneRosterV1p2StringAt
  );
  if (learningObjectiveId._tag === "err") return learningObjectiveId;
  const score = optionalOneRosterV1p2Property(
    record.value,
    "score",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (score._tag === "err") return score;
  const textScore = optionalOneRosterV1p2Property(
    record.value,
    "textScore",
    path,
    parseOneRosterV1p2StringAt
  );
  if (textScore._tag === "err") return textScore;
  return ok({
    learningObjectiveId: learningObjectiveId.value,
    ...score.value === void 0 ? {} : { score: score.value },
    ...textScore.value === void 0 ? {} : { textScore: textScore.value }
  });
}
function parseLearningObjectiveScoreSetAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["source", "learningObjectiveResults"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const source = requireOneRosterV1p2Property(record.value, "source", path, parseLearningSourceAt);
  if (source._tag === "err") return source;
  const learningObjectiveResults = requireOneRosterV1p2Property(
    record.value,
    "learningObjectiveResults",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseLearningObjectiveResultAt, 1)
  );
  if (learningObjectiveResults._tag === "err") return learningObjectiveResults;
  return ok({ source: source.value, learningObjectiveResults: learningObjectiveResults.value });
}
function gradebookParser(parseAt) {
  return (input) => parseAt(input, "$");
}

// src/v1p2/model/category.ts
function parseCategoryAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["sourcedId", "status", "dateLastModified", "metadata", "title", "weight"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const title = requireOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const weight = optionalOneRosterV1p2Property(
    record.value,
    "weight",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (weight._tag === "err") return weight;
  return ok({
    ...base2.value,
    title: title.value,
    ...weight.value === void 0 ? {} : { weight: weight.value }
  });
}
var parseOneRosterV1p2Category = gradebookParser(parseCategoryAt);

// src/v1p2/model/line-item.ts
function parseLineItemAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "title",
      "description",
      "assignDate",
      "dueDate",
      "class",
      "school",
      "category",
      "gradingPeriod",
      "academicSession",
      "scoreScale",
      "resultValueMin",
      "resultValueMax",
      "learningObjectiveSet"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const title = requireOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const assignDate = requireOneRosterV1p2Property(
    record.value,
    "assignDate",
    path,
    parseOneRosterV1p2DateTimeAt
  );
  if (assignDate._tag === "err") return assignDate;
  const dueDate = requireOneRosterV1p2Property(
    record.value,
    "dueDate",
    path,
    parseOneRosterV1p2DateTimeAt
  );
  if (dueDate._tag === "err") return dueDate;
  const classRef = requireOneRosterV1p2Property(
    record.value,
    "class",
    path,
    gradebookReference("class")
  );
  if (classRef._tag === "err") return classRef;
  const school = requireOneRosterV1p2Property(
    record.value,
    "school",
    path,
    gradebookReference("org")
  );
  if (school._tag === "err") return school;
  const category = requireOneRosterV1p2Property(
    record.value,
    "category",
    path,
    gradebookReference("category")
  );
  if (category._tag === "err") return category;
  const description = optionalOneRosterV1p2Property(
    record.value,
    "description",
    path,
    parseOneRosterV1p2StringAt
  );
  if (description._tag === "err") return description;
  const gradingPeriod = optionalOneRosterV1p2Property(
    record.value,
    "gradingPeriod",
    path,
    gradebookReference("academicSession")
  );
  if (gradingPeriod._tag === "err") return gradingPeriod;
  const academicSession = optionalOneRosterV1p2Property(
    record.value,
    "academicSession",
    path,
    gradebookReference("academicSession")
  );
  if (academicSession._tag === "err") return academicSession;
  const scoreScale = optionalOneRosterV1p2Property(
    record.value,
    "scoreScale",
    path,
    gradebookReference("scoreScale")
  );
  if (scoreScale._tag === "err") return scoreScale;
  const resultValueMin = optionalOneRosterV1p2Property(
    record.value,
    "resultValueMin",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (resultValueMin._tag === "err") return resultValueMin;
  const resultValueMax = optionalOneRosterV1p2Property(
    record.value,
    "resultValueMax",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (resultValueMax._tag === "err") return resultValueMax;
  const learningObjectiveSet = optionalOneRosterV1p2Property(
    record.value,
    "learningObjectiveSet",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseLearningObjectiveSetAt)
  );
  if (learningObjectiveSet._tag === "err") return learningObjectiveSet;
  return ok({
    ...base2.value,
    title: title.value,
    assignDate: assignDate.value,
    dueDate: dueDate.value,
    class: classRef.value,
    school: school.value,
    category: category.value,
    ...description.value === void 0 ? {} : { description: description.value },
    ...gradingPeriod.value === void 0 ? {} : { gradingPeriod: gradingPeriod.value },
    ...academicSession.value === void 0 ? {} : { academicSession: academicSession.value },
    ...scoreScale.value === void 0 ? {} : { scoreScale: scoreScale.value },
    ...resultValueMin.value === void 0 ? {} : { resultValueMin: resultValueMin.value },
    ...resultValueMax.value === void 0 ? {} : { resultValueMax: resultValueMax.value },
    ...learningObjectiveSet.value === void 0 ? {} : { learningObjectiveSet: learningObjectiveSet.value }
  });
}
var parseOneRosterV1p2LineItem = gradebookParser(parseLineItemAt);

// src/v1p2/model/result.ts
function parseResultAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const allowed = /* @__PURE__ */ new Set([
    "sourcedId",
    "status",
    "dateLastModified",
    "metadata",
    "lineItem",
    "student",
    "class",
    "scoreScale",
    "scoreStatus",
    "score",
    "textScore",
    "scoreDate",
    "comment",
    "learningObjectiveSet",
    "inProgress",
    "incomplete",
    "late",
    "missing"
  ]);
  const unknown = rejectUnknownOneRosterV1p2Properties(record.value, allowed, path);
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const lineItem = requireOneRosterV1p2Property(
    record.value,
    "lineItem",
    path,
    gradebookReference("lineItem")
  );
  if (lineItem._tag === "err") return lineItem;
  const student = requireOneRosterV1p2Property(
    record.value,
    "student",
    path,
    gradebookReference("user")
  );
  if (student._tag === "err") return student;
  const scoreStatus = requireOneRosterV1p2Property(
    record.value,
    "scoreStatus",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "exempt",
      "fully graded",
      "not submitted",
      "partially graded",
      "submitted"
    ])
  );
  if (scoreStatus._tag === "err") return scoreStatus;
  const scoreDate = requireOneRosterV1p2Property(
    record.value,
    "scoreDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (scoreDate._tag === "err") return scoreDate;
  const classRef = optionalOneRosterV1p2Property(
    record.value,
    "class",
    path,
    gradebookReference("class")
  );
  if (classRef._tag === "err") return classRef;
  const scoreScale = optionalOneRosterV1p2Property(
    record.value,
    "scoreScale",
    path,
    gradebookReference("scoreScale")
  );
  if (scoreScale._tag === "err") return scoreScale;
  const score = optionalOneRosterV1p2Property(
    record.value,
    "score",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (score._tag === "err") return score;
  const textScore = optionalOneRosterV1p2Property(
    record.value,
    "textScore",
    path,
    parseOneRosterV1p2StringAt
  );
  if (textScore._tag === "err") return textScore;
  const comment = optionalOneRosterV1p2Property(
    record.value,
    "comment",
    path,
    parseOneRosterV1p2StringAt
  );
  if (comment._tag === "err") return comment;
  const learningObjectiveSet = optionalOneRosterV1p2Property(
    record.value,
    "learningObjectiveSet",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseLearningObjectiveScoreSetAt)
  );
  if (learningObjectiveSet._tag === "err") return learningObjectiveSet;
  const bool = (property) => optionalOneRosterV1p2Property(record.value, property, path, parseOneRosterV1p2BooleanTokenAt);
  const inProgress = bool("inProgress");
  if (inProgress._tag === "err") return inProgress;
  const incomplete = bool("incomplete");
  if (incomplete._tag === "err") return incomplete;
  const late = bool("late");
  if (late._tag === "err") return late;
  const missing = bool("missing");
  if (missing._tag === "err") return missing;
  return ok({
    ...base2.value,
    lineItem: lineItem.value,
    student: student.value,
    scoreStatus: scoreStatus.value,
    scoreDate: scoreDate.value,
    ...classRef.value === void 0 ? {} : { class: classRef.value },
    ...scoreScale.value === void 0 ? {} : { scoreScale: scoreScale.value },
    ...score.value === void 0 ? {} : { score: score.value },
    ...textScore.value === void 0 ? {} : { textScore: textScore.value },
    ...comment.value === void 0 ? {} : { comment: comment.value },
    ...learningObjectiveSet.value === void 0 ? {} : { learningObjectiveSet: learningObjectiveSet.value },
    ...inProgress.value === void 0 ? {} : { inProgress: inProgress.value },
    ...incomplete.value === void 0 ? {} : { incomplete: incomplete.value },
    ...late.value === void 0 ? {} : { late: late.value },
    ...missing.value === void 0 ? {} : { missing: missing.value }
  });
}
var parseOneRosterV1p2Result = gradebookParser(parseResultAt);

// src/v1p2/model/score-scale.ts
function parseScoreScaleValueAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["itemValueLHS", "itemValueRHS"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const lhs = requireOneRosterV1p2Property(
    record.value,
    "itemValueLHS",
    path,
    parseOneRosterV1p2StringAt
  );
  if (lhs._tag === "err") return lhs;
  const rhs = requireOneRosterV1p2Property(
    record.value,
    "itemValueRHS",
    path,
    parseOneRosterV1p2StringAt
  );
  if (rhs._tag === "err") return rhs;
  return ok({ itemValueLHS: lhs.value, itemValueRHS: rhs.value });
}
function parseScoreScaleAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "title",
      "type",
      "course",
      "class",
      "scoreScaleValue"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const title = requireOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const type = requireOneRosterV1p2Property(record.value, "type", path, parseOneRosterV1p2StringAt);
  if (type._tag === "err") return type;
  const classRef = requireOneRosterV1p2Property(
    record.value,
    "class",
    path,
    gradebookReference("class")
  );
  if (classRef._tag === "err") return classRef;
  const values = requireOneRosterV1p2Property(
    record.value,
    "scoreScaleValue",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseScoreScaleValueAt, 1)
  );
  if (values._tag === "err") return values;
  const course = optionalOneRosterV1p2Property(
    record.value,
    "course",
    path,
    gradebookReference("course")
  );
  if (course._tag === "err") return course;
  return ok({
    ...base2.value,
    title: title.value,
    type: type.value,
    class: classRef.value,
    scoreScaleValue: values.value,
    ...course.value === void 0 ? {} : { course: course.value }
  });
}
var parseOneRosterV1p2ScoreScale = gradebookParser(parseScoreScaleAt);

// src/v1p2/model/resources.ts
function parseResourceAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "title",
      "roles",
      "importance",
      "vendorResourceId",
      "vendorId",
      "applicationId"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const vendorResourceId = requireOneRosterV1p2Property(
    record.value,
    "vendorResourceId",
    path,
    parseOneRosterV1p2StringAt
  );
  if (vendorResourceId._tag === "err") return vendorResourceId;
  const title = optionalOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const roles = optionalOneRosterV1p2Property(
    record.value,
    "roles",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(
      value,
      nestedPath,
      (role, rolePath) => parseOneRosterV1p2KnownOrExtensionTokenAt(role, rolePath, [
        "administrator",
        "aide",
        "guardian",
        "parent",
        "proctor",
        "relative",
        "student",
        "teacher"
      ])
    )
  );
  if (roles._tag === "err") return roles;
  const importance = optionalOneRosterV1p2Property(
    record.value,
    "importance",
    path,
    (value, nestedPath) => parseOneRosterV1p2FixedTokenAt(value, nestedPath, ["primary", "secondary"])
  );
  if (importance._tag === "err") return importance;
  const vendorId = optionalOneRosterV1p2Property(
    record.value,
    "vendorId",
    path,
    parseOneRosterV1p2StringAt
  );
  if (vendorId._tag === "err") return vendorId;
  const applicationId = optionalOneRosterV1p2Property(
    record.value,
    "applicationId",
    path,
    parseOneRosterV1p2StringAt
  );
  if (applicationId._tag === "err") return applicationId;
  return ok({
    ...base2.value,
    vendorResourceId: vendorResourceId.value,
    ...title.value === void 0 ? {} : { title: title.value },
    ...roles.value === void 0 ? {} : { roles: roles.value },
    ...importance.value === void 0 ? {} : { importance: importance.value },
    ...vendorId.value === void 0 ? {} : { vendorId: vendorId.value },
    ...applicationId.value === void 0 ? {} : { applicationId: applicationId.value }
  });
}
function parser8(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2Resource = parser8(parseResourceAt);

// src/v1p2/model/status.ts
function parseCodeMinorFieldAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") {
    return record;
  }
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"]),
    path
  );
  if (unknown._tag === "err") {
    return unknown;
  }
  const name = requireOneRosterV1p2Property(
    record.value,
    "imsx_codeMinorFieldName",
    path,
    (value2, nestedPath) => parseOneRosterV1p2StringAt(value2, nestedPath)
  );
  if (name._tag === "err") {
    return name;
  }
  const value = requireOneRosterV1p2Property(
    record.value,
    "imsx_codeMinorFieldValue",
    path,
    (raw, nestedPath) => parseOneRosterV1p2FixedTokenAt(raw, nestedPath, [
      "fullsuccess",
      "invalid_filter_field",
      "invalid_selection_field",
      "invaliddata",
      "unauthorisedrequest",
      "forbidden",
      "server_busy",
      "unknownobject",
      "internal_server_error",
      "deletefailure",
      "invalid_sort_field",
      "unsupported"
    ])
  );
  if (value._tag === "err") {
    return value;
  }
  return ok({ imsx_codeMinorFieldName: name.value, imsx_codeMinorFieldValue: value.value });
}
function parseCodeMinorAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") {
    return record;
  }
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["imsx_codeMinorField"]),
    path
  );
  if (unknown._tag === "err") {
    return unknown;
  }
  const fields = requireOneRosterV1p2Property(
    record.value,
    "imsx_codeMinorField",
    path,
    (raw, nestedPath) => parseOneRosterV1p2ArrayAt(raw, nestedPath, parseCodeMinorFieldAt, 1)
  );
  if (fields._tag === "err") {
    return fields;
  }
  return ok({ imsx_codeMinorField: fields.value });
}
function parseOneRosterV1p2StatusInfo(input) {
  const path = "$.imsx_StatusInfo";
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") {
    return record;
  }
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_CodeMinor"]),
    path
  );
  if (unknown._tag === "err") {
    return unknown;
  }
  const major = requireOneRosterV1p2Property(
    record.value,
    "imsx_codeMajor",
    path,
    (raw, nestedPath) => parseOneRosterV1p2FixedTokenAt(raw, nestedPath, [
      "success",
      "processing",
      "failure",
      "unsupported"
    ])
  );
  if (major._tag === "err") {
    return major;
  }
  const severity = requireOneRosterV1p2Property(
    record.value,
    "imsx_severity",
    path,
    (raw, nestedPath) => parseOneRosterV1p2FixedTokenAt(raw, nestedPath, ["status", "warning", "error"])
  );
  if (severity._tag === "err") {
    return severity;
  }
  const description = optionalOneRosterV1p2Property(
    record.value,
    "imsx_description",
    path,
    (raw, nestedPath) => parseOneRosterV1p2StringAt(raw, nestedPath)
  );
  if (description._tag === "err") {
    return description;
  }
  const minor = optionalOneRosterV1p2Property(
    record.value,
    "imsx_CodeMinor",
    path,
    (raw, nestedPath) => parseCodeMinorAt(raw, nestedPath)
  );
  if (minor._tag === "err") {
    return minor;
  }
  return ok({
    imsx_codeMajor: major.value,
    imsx_severity: severity.value,
    ...description.value === void 0 ? {} : { imsx_description: description.value },
    ...minor.value === void 0 ? {} : { imsx_CodeMinor: minor.value }
  });
}

// src/v1p2/rest/payload-core.ts
function parseOneRosterV1p2CollectionAt(input, path, property, parser10) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(record.value, /* @__PURE__ */ new Set([property]), path);
  if (unknown._tag === "err") return unknown;
  const items = requireOneRosterV1p2Property(record.value, property, path, (value, nestedPath) => {
    if (!Array.isArray(value)) {
      return err([
        {
          _tag: "OneRosterV1p2PayloadDiagnostic",
          code: "payload.invalid_type",
          path: nestedPath,
          message: "Expected a collection array."
        }
      ]);
    }
    const parsedItems = [];
    for (const [index, item] of value.entries()) {
      const parsed = parser10(item, `${nestedPath}[${index}]`);
      if (parsed._tag === "err") return parsed;
      parsedItems.push(parsed.value);
    }
    return ok(parsedItems);
  });
  if (items._tag === "err") return items;
  return ok({ [property]: items.value });
}
function parseOneRosterV1p2SingletonAt(input, path, property, parser10) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(record.value, /* @__PURE__ */ new Set([property]), path);
  if (unknown._tag === "err") return unknown;
  const item = requireOneRosterV1p2Property(record.value, property, path, parser10);
  if (item._tag === "err") return item;
  return ok({ [property]: item.value });
}

// src/v1p2/assessment-results/model.ts
var reference = (type) => (input, path) => parseOneRosterV1p2ReferenceAt(input, type, path);
function parseLearningObjectiveSourceAt(input, path) {
  const value = parseOneRosterV1p2StringAt(input, path);
  if (value._tag === "err") return value;
  if (value.value === "case" || value.value === "unknown") return ok(value.value);
  if (!/^\/(?!case$)(?!unknown$)[a-z0-9]+$/.test(value.value)) {
    return {
      _tag: "err",
      error: [
        {
          _tag: "OneRosterV1p2PayloadDiagnostic",
          code: "payload.invalid_value",
          path,
          message: "The assessment learning-objective source is not valid."
        }
      ]
    };
  }
  return ok(value.value);
}
function parseLearningObjectiveSetAt2(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["source", "learningObjectiveIds"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const source = requireOneRosterV1p2Property(
    record.value,
    "source",
    path,
    parseLearningObjectiveSourceAt
  );
  if (source._tag === "err") return source;
  const learningObjectiveIds = requireOneRosterV1p2Property(
    record.value,
    "learningObjectiveIds",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseOneRosterV1p2StringAt, 1)
  );
  if (learningObjectiveIds._tag === "err") return learningObjectiveIds;
  return ok({ source: source.value, learningObjectiveIds: learningObjectiveIds.value });
}
function parseLearningObjectiveResultAt2(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["learningObjectiveId", "score", "textScore"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const learningObjectiveId = requireOneRosterV1p2Property(
    record.value,
    "learningObjectiveId",
    path,
    parseOneRosterV1p2StringAt
  );
  if (learningObjectiveId._tag === "err") return learningObjectiveId;
  const score = optionalOneRosterV1p2Property(
    record.value,
    "score",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (score._tag === "err") return score;
  const textScore = optionalOneRosterV1p2Property(
    record.value,
    "textScore",
    path,
    parseOneRosterV1p2StringAt
  );
  if (textScore._tag === "err") return textScore;
  return ok({
    learningObjectiveId: learningObjectiveId.value,
    ...score.value === void 0 ? {} : { score: score.value },
    ...textScore.value === void 0 ? {} : { textScore: textScore.value }
  });
}
function parseLearningObjectiveScoreSetAt2(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set(["source", "learningObjectiveResults"]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const source = requireOneRosterV1p2Property(
    record.value,
    "source",
    path,
    parseLearningObjectiveSourceAt
  );
  if (source._tag === "err") return source;
  const learningObjectiveResults = requireOneRosterV1p2Property(
    record.value,
    "learningObjectiveResults",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseLearningObjectiveResultAt2, 1)
  );
  if (learningObjectiveResults._tag === "err") return learningObjectiveResults;
  return ok({ source: source.value, learningObjectiveResults: learningObjectiveResults.value });
}
function parseAssessmentLineItemAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "title",
      "description",
      "class",
      "parentAssessmentLineItem",
      "scoreScale",
      "resultValueMin",
      "resultValueMax",
      "learningObjectiveSet"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const title = requireOneRosterV1p2Property(
    record.value,
    "title",
    path,
    parseOneRosterV1p2StringAt
  );
  if (title._tag === "err") return title;
  const description = optionalOneRosterV1p2Property(
    record.value,
    "description",
    path,
    parseOneRosterV1p2StringAt
  );
  if (description._tag === "err") return description;
  const classRef = optionalOneRosterV1p2Property(record.value, "class", path, reference("class"));
  if (classRef._tag === "err") return classRef;
  const parent = optionalOneRosterV1p2Property(
    record.value,
    "parentAssessmentLineItem",
    path,
    reference("assessmentLineItem")
  );
  if (parent._tag === "err") return parent;
  const scoreScale = optionalOneRosterV1p2Property(
    record.value,
    "scoreScale",
    path,
    reference("scoreScale")
  );
  if (scoreScale._tag === "err") return scoreScale;
  const resultValueMin = optionalOneRosterV1p2Property(
    record.value,
    "resultValueMin",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (resultValueMin._tag === "err") return resultValueMin;
  const resultValueMax = optionalOneRosterV1p2Property(
    record.value,
    "resultValueMax",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (resultValueMax._tag === "err") return resultValueMax;
  const learningObjectiveSet = optionalOneRosterV1p2Property(
    record.value,
    "learningObjectiveSet",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseLearningObjectiveSetAt2)
  );
  if (learningObjectiveSet._tag === "err") return learningObjectiveSet;
  return ok({
    ...base2.value,
    title: title.value,
    ...description.value === void 0 ? {} : { description: description.value },
    ...classRef.value === void 0 ? {} : { class: classRef.value },
    ...parent.value === void 0 ? {} : { parentAssessmentLineItem: parent.value },
    ...scoreScale.value === void 0 ? {} : { scoreScale: scoreScale.value },
    ...resultValueMin.value === void 0 ? {} : { resultValueMin: resultValueMin.value },
    ...resultValueMax.value === void 0 ? {} : { resultValueMax: resultValueMax.value },
    ...learningObjectiveSet.value === void 0 ? {} : { learningObjectiveSet: learningObjectiveSet.value }
  });
}
function parseAssessmentResultAt(input, path) {
  const record = parseOneRosterV1p2RecordAt(input, path);
  if (record._tag === "err") return record;
  const unknown = rejectUnknownOneRosterV1p2Properties(
    record.value,
    /* @__PURE__ */ new Set([
      "sourcedId",
      "status",
      "dateLastModified",
      "metadata",
      "assessmentLineItem",
      "student",
      "score",
      "textScore",
      "scoreDate",
      "scoreScale",
      "scorePercentile",
      "scoreStatus",
      "comment",
      "learningObjectiveSet",
      "inProgress",
      "incomplete",
      "late",
      "missing"
    ]),
    path
  );
  if (unknown._tag === "err") return unknown;
  const base2 = parseOneRosterV1p2EntityBaseRecordAt(record.value, path);
  if (base2._tag === "err") return base2;
  const assessmentLineItem = requireOneRosterV1p2Property(
    record.value,
    "assessmentLineItem",
    path,
    reference("assessmentLineItem")
  );
  if (assessmentLineItem._tag === "err") return assessmentLineItem;
  const student = requireOneRosterV1p2Property(record.value, "student", path, reference("user"));
  if (student._tag === "err") return student;
  const score = optionalOneRosterV1p2Property(
    record.value,
    "score",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (score._tag === "err") return score;
  const textScore = optionalOneRosterV1p2Property(
    record.value,
    "textScore",
    path,
    parseOneRosterV1p2StringAt
  );
  if (textScore._tag === "err") return textScore;
  const scoreDate = requireOneRosterV1p2Property(
    record.value,
    "scoreDate",
    path,
    parseOneRosterV1p2DateAt
  );
  if (scoreDate._tag === "err") return scoreDate;
  const scoreScale = optionalOneRosterV1p2Property(
    record.value,
    "scoreScale",
    path,
    reference("scoreScale")
  );
  if (scoreScale._tag === "err") return scoreScale;
  const scorePercentile = optionalOneRosterV1p2Property(
    record.value,
    "scorePercentile",
    path,
    parseOneRosterV1p2NumberAt
  );
  if (scorePercentile._tag === "err") return scorePercentile;
  const scoreStatus = requireOneRosterV1p2Property(
    record.value,
    "scoreStatus",
    path,
    (value, nestedPath) => parseOneRosterV1p2KnownOrExtensionTokenAt(value, nestedPath, [
      "exempt",
      "fully graded",
      "not submitted",
      "partially graded",
      "submitted"
    ])
  );
  if (scoreStatus._tag === "err") return scoreStatus;
  const comment = optionalOneRosterV1p2Property(
    record.value,
    "comment",
    path,
    parseOneRosterV1p2StringAt
  );
  if (comment._tag === "err") return comment;
  const learningObjectiveSet = optionalOneRosterV1p2Property(
    record.value,
    "learningObjectiveSet",
    path,
    (value, nestedPath) => parseOneRosterV1p2ArrayAt(value, nestedPath, parseLearningObjectiveScoreSetAt2)
  );
  if (learningObjectiveSet._tag === "err") return learningObjectiveSet;
  const booleanProperty = (property) => optionalOneRosterV1p2Property(record.value, property, path, parseOneRosterV1p2BooleanTokenAt);
  const inProgress = booleanProperty("inProgress");
  if (inProgress._tag === "err") return inProgress;
  const incomplete = booleanProperty("incomplete");
  if (incomplete._tag === "err") return incomplete;
  const late = booleanProperty("late");
  if (late._tag === "err") return late;
  const missing = booleanProperty("missing");
  if (missing._tag === "err") return missing;
  return ok({
    ...base2.value,
    assessmentLineItem: assessmentLineItem.value,
    student: student.value,
    scoreDate: scoreDate.value,
    scoreStatus: scoreStatus.value,
    ...score.value === void 0 ? {} : { score: score.value },
    ...textScore.value === void 0 ? {} : { textScore: textScore.value },
    ...scoreScale.value === void 0 ? {} : { scoreScale: scoreScale.value },
    ...scorePercentile.value === void 0 ? {} : { scorePercentile: scorePercentile.value },
    ...comment.value === void 0 ? {} : { comment: comment.value },
    ...learningObjectiveSet.value === void 0 ? {} : { learningObjectiveSet: learningObjectiveSet.value },
    ...inProgress.value === void 0 ? {} : { inProgress: inProgress.value },
    ...incomplete.value === void 0 ? {} : { incomplete: incomplete.value },
    ...late.value === void 0 ? {} : { late: late.value },
    ...missing.value === void 0 ? {} : { missing: missing.value }
  });
}
function parser9(parseAt) {
  return (input) => parseAt(input, "$");
}
var parseOneRosterV1p2AssessmentLineItem = parser9(parseAssessmentLineItemAt);
var parseOneRosterV1p2AssessmentResult = parser9(parseAssessmentResultAt);

// src/v1p2/rest/payload.generated.ts
function parseOneRosterV1p2AcademicSessionCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(
    input,
    path,
    "academicSessions",
    parseOneRosterV1p2AcademicSession
  );
}
function parseOneRosterV1p2AcademicSessionSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(
    input,
    path,
    "academicSession",
    parseOneRosterV1p2AcademicSession
  );
}
function parseOneRosterV1p2AssessmentLineItemCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(
    input,
    path,
    "assessmentLineItems",
    parseOneRosterV1p2AssessmentLineItem
  );
}
function parseOneRosterV1p2AssessmentLineItemSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(
    input,
    path,
    "assessmentLineItem",
    parseOneRosterV1p2AssessmentLineItem
  );
}
function parseOneRosterV1p2AssessmentResultCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(
    input,
    path,
    "assessmentResults",
    parseOneRosterV1p2AssessmentResult
  );
}
function parseOneRosterV1p2AssessmentResultSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(
    input,
    path,
    "assessmentResult",
    parseOneRosterV1p2AssessmentResult
  );
}
function parseOneRosterV1p2CategoryCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "categories", parseOneRosterV1p2Category);
}
function parseOneRosterV1p2CategorySingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "category", parseOneRosterV1p2Category);
}
function parseOneRosterV1p2ClassCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "classes", parseOneRosterV1p2Class);
}
function parseOneRosterV1p2ClassSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "class", parseOneRosterV1p2Class);
}
function parseOneRosterV1p2CourseCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "courses", parseOneRosterV1p2Course);
}
function parseOneRosterV1p2CourseSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "course", parseOneRosterV1p2Course);
}
function parseOneRosterV1p2DemographicsCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(
    input,
    path,
    "demographics",
    parseOneRosterV1p2Demographics
  );
}
function parseOneRosterV1p2DemographicsSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "demographics", parseOneRosterV1p2Demographics);
}
function parseOneRosterV1p2EnrollmentCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "enrollments", parseOneRosterV1p2Enrollment);
}
function parseOneRosterV1p2EnrollmentSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "enrollment", parseOneRosterV1p2Enrollment);
}
function parseOneRosterV1p2LineItemCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "lineItems", parseOneRosterV1p2LineItem);
}
function parseOneRosterV1p2LineItemSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "lineItem", parseOneRosterV1p2LineItem);
}
function parseOneRosterV1p2OrgCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "orgs", parseOneRosterV1p2Org);
}
function parseOneRosterV1p2OrgSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "org", parseOneRosterV1p2Org);
}
function parseOneRosterV1p2ResourceCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "resources", parseOneRosterV1p2Resource);
}
function parseOneRosterV1p2ResourceSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "resource", parseOneRosterV1p2Resource);
}
function parseOneRosterV1p2ResultCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "results", parseOneRosterV1p2Result);
}
function parseOneRosterV1p2ResultSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "result", parseOneRosterV1p2Result);
}
function parseOneRosterV1p2ScoreScaleCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "scoreScales", parseOneRosterV1p2ScoreScale);
}
function parseOneRosterV1p2ScoreScaleSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "scoreScale", parseOneRosterV1p2ScoreScale);
}
function parseOneRosterV1p2UserCollection(input, path = "$") {
  return parseOneRosterV1p2CollectionAt(input, path, "users", parseOneRosterV1p2User);
}
function parseOneRosterV1p2UserSingleton(input, path = "$") {
  return parseOneRosterV1p2SingletonAt(input, path, "user", parseOneRosterV1p2User);
}

// src/v1p2/rest/operation.generated.ts
var queryGroups = {
  g0: ["limit", "offset", "sort", "orderBy", "filter", "fields"],
  g1: ["fields"],
  g2: []
};
var scopeGroups = {
  g0: [
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
  ],
  g1: ["https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"],
  g2: ["https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly"],
  g3: ["https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly"],
  g4: ["https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.delete"],
  g5: ["https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.createput"],
  g6: [
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly"
  ],
  g7: ["https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete"],
  g8: ["https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput"],
  g9: ["https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost"],
  g10: ["https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly"],
  g11: ["https://purl.imsglobal.org/spec/or/v1p2/scope/resource.readonly"],
  g12: [
    "https://purl.imsglobal.org/spec/or/v1p2/scope/resource-core.readonly",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/resource.readonly"
  ]
};
var operationData = [["rostering", "getAllAcademicSessions", "rostering", "GET", "/academicSessions", "collection", "g0", "g0", "200", "academicSessionCollection"], ["rostering", "getAcademicSession", "rostering", "GET", "/academicSessions/{sourcedId}", "singleton", "g1", "g0", "200", "academicSessionSingleton"], ["rostering", "getAllClasses", "rostering", "GET", "/classes", "collection", "g0", "g0", "200", "classCollection"], ["rostering", "getStudentsForClass", "rostering", "GET", "/classes/{classSourcedId}/students", "collection", "g0", "g1", "200", "userCollection"], ["rostering", "getTeachersForClass", "rostering", "GET", "/classes/{classSourcedId}/teachers", "collection", "g0", "g1", "200", "userCollection"], ["rostering", "getClass", "rostering", "GET", "/classes/{sourcedId}", "singleton", "g1", "g0", "200", "classSingleton"], ["rostering", "getAllCourses", "rostering", "GET", "/courses", "collection", "g0", "g0", "200", "courseCollection"], ["rostering", "getClassesForCourse", "rostering", "GET", "/courses/{courseSourcedId}/classes", "collection", "g0", "g1", "200", "classCollection"], ["rostering", "getCourse", "rostering", "GET", "/courses/{sourcedId}", "singleton", "g1", "g0", "200", "courseSingleton"], ["rostering", "getAllDemographics", "rostering", "GET", "/demographics", "collection", "g0", "g2", "200", "demographicsCollection"], ["rostering", "getDemographics", "rostering", "GET", "/demographics/{sourcedId}", "singleton", "g1", "g2", "200", "demographicsSingleton"], ["rostering", "getAllEnrollments", "rostering", "GET", "/enrollments", "collection", "g0", "g0", "200", "enrollmentCollection"], ["rostering", "getEnrollment", "rostering", "GET", "/enrollments/{sourcedId}", "singleton", "g1", "g0", "200", "enrollmentSingleton"], ["rostering", "getAllGradingPeriods", "rostering", "GET", "/gradingPeriods", "collection", "g0", "g0", "200", "academicSessionCollection"], ["rostering", "getGradingPeriod", "rostering", "GET", "/gradingPeriods/{sourcedId}", "singleton", "g1", "g0", "200", "academicSessionSingleton"], ["rostering", "getAllOrgs", "rostering", "GET", "/orgs", "collection", "g0", "g0", "200", "orgCollection"], ["rostering", "getOrg", "rostering", "GET", "/orgs/{sourcedId}", "singleton", "g1", "g0", "200", "orgSingleton"], ["rostering", "getAllSchools", "rostering", "GET", "/schools", "collection", "g0", "g0", "200", "orgCollection"], ["rostering", "getClassesForSchool", "rostering", "GET", "/schools/{schoolSourcedId}/classes", "collection", "g0", "g1", "200", "classCollection"], ["rostering", "getEnrollmentsForClassInSchool", "rostering", "GET", "/schools/{schoolSourcedId}/classes/{classSourcedId}/enrollments", "collection", "g0", "g1", "200", "enrollmentCollection"], ["rostering", "getStudentsForClassInSchool", "rostering", "GET", "/schools/{schoolSourcedId}/classes/{classSourcedId}/students", "collection", "g0", "g1", "200", "userCollection"], ["rostering", "getTeachersForClassInSchool", "rostering", "GET", "/schools/{schoolSourcedId}/classes/{classSourcedId}/teachers", "collection", "g0", "g1", "200", "userCollection"], ["rostering", "getCoursesForSchool", "rostering", "GET", "/schools/{schoolSourcedId}/courses", "collection", "g0", "g1", "200", "courseCollection"], ["rostering", "getEnrollmentsForSchool", "rostering", "GET", "/schools/{schoolSourcedId}/enrollments", "collection", "g0", "g1", "200", "enrollmentCollection"], ["rostering", "getStudentsForSchool", "rostering", "GET", "/schools/{schoolSourcedId}/students", "collection", "g0", "g1", "200", "userCollection"], ["rostering", "getTeachersForSchool", "rostering", "GET", "/schools/{schoolSourcedId}/teachers", "collection", "g0", "g1", "200", "userCollection"], ["rostering", "getTermsForSchool", "rostering", "GET", "/schools/{schoolSourcedId}/terms", "collection", "g0", "g1", "200", "academicSessionCollection"], ["rostering", "getSchool", "rostering", "GET", "/schools/{sourcedId}", "singleton", "g1", "g0", "200", "orgSingleton"], ["rostering", "getAllStudents", "rostering", "GET", "/students", "collection", "g0", "g0", "200", "userCollection"], ["rostering", "getStudent", "rostering", "GET", "/students/{sourcedId}", "singleton", "g1", "g0", "200", "userSingleton"], ["rostering", "getClassesForStudent", "rostering", "GET", "/students/{studentSourcedId}/classes", "collection", "g0", "g1", "200", "classCollection"], ["rostering", "getAllTeachers", "rostering", "GET", "/teachers", "collection", "g0", "g0", "200", "userCollection"], ["rostering", "getTeacher", "rostering", "GET", "/teachers/{sourcedId}", "singleton", "g1", "g0", "200", "userSingleton"], ["rostering", "getClassesForTeacher", "rostering", "GET", "/teachers/{teacherSourcedId}/classes", "collection", "g0", "g1", "200", "classCollection"], ["rostering", "getAllTerms", "rostering", "GET", "/terms", "collection", "g0", "g0", "200", "academicSessionCollection"], ["rostering", "getTerm", "rostering", "GET", "/terms/{sourcedId}", "singleton", "g1", "g0", "200", "academicSessionSingleton"], ["rostering", "getClassesForTerm", "rostering", "GET", "/terms/{termSourcedId}/classes", "collection", "g0", "g1", "200", "classCollection"], ["rostering", "getGradingPeriodsForTerm", "rostering", "GET", "/terms/{termSourcedId}/gradingPeriods", "collection", "g0", "g1", "200", "academicSessionCollection"], ["rostering", "getAllUsers", "rostering", "GET", "/users", "collection", "g0", "g0", "200", "userCollection"], ["rostering", "getUser", "rostering", "GET", "/users/{sourcedId}", "singleton", "g1", "g0", "200", "userSingleton"], ["rostering", "getClassesForUser", "rostering", "GET", "/users/{userSourcedId}/classes", "collection", "g0", "g1", "200", "classCollection"], ["gradebook", "getAllAssessmentLineItems", "assessmentResults", "GET", "/assessmentLineItems", "collection", "g0", "g3", "200", "assessmentLineItemCollection"], ["gradebook", "getAssessmentLineItem", "assessmentResults", "GET", "/assessmentLineItems/{sourcedId}", "singleton", "g1", "g3", "200", "assessmentLineItemSingleton"], ["gradebook", "deleteAssessmentLineItem", "assessmentResults", "DELETE", "/assessmentLineItems/{sourcedId}", "noContent", "g2", "g4", "204", "none"], ["gradebook", "putAssessmentLineItem", "assessmentResults", "PUT", "/assessmentLineItems/{sourcedId}", "noContent", "g2", "g5", "201", "none", "singleAssessmentLineItem"], ["gradebook", "getAllAssessmentResults", "assessmentResults", "GET", "/assessmentResults", "collection", "g0", "g3", "200", "assessmentResultCollection"], ["gradebook", "getAssessmentResult", "assessmentResults", "GET", "/assessmentResults/{sourcedId}", "singleton", "g1", "g3", "200", "assessmentResultSingleton"], ["gradebook", "deleteAssessmentResult", "assessmentResults", "DELETE", "/assessmentResults/{sourcedId}", "noContent", "g2", "g4", "204", "none"], ["gradebook", "putAssessmentResult", "assessmentResults", "PUT", "/assessmentResults/{sourcedId}", "noContent", "g2", "g5", "201", "none", "singleAssessmentResult"], ["gradebook", "getAllCategories", "gradebook", "GET", "/categories", "collection", "g0", "g6", "200", "categoryCollection"], ["gradebook", "getCategory", "gradebook", "GET", "/categories/{sourcedId}", "singleton", "g1", "g6", "200", "categorySingleton"], ["gradebook", "deleteCategory", "gradebook", "DELETE", "/categories/{sourcedId}", "noContent", "g2", "g7", "204", "none"], ["gradebook", "putCategory", "gradebook", "PUT", "/categories/{sourcedId}", "noContent", "g2", "g8", "201", "none", "singleCategory"], ["gradebook", "postResultsForAcademicSessionForClass", "gradebook", "POST", "/classes/{classSourcedId}/academicSessions/{academicSessionSourcedId}/results", "write", "g2", "g9", "201", "guidPairSet", "resultCollection"], ["gradebook", "getCategoriesForClass", "gradebook", "GET", "/classes/{classSourcedId}/categories", "collection", "g0", "g10", "200", "categoryCollection"], ["gradebook", "getLineItemsForClass", "gradebook", "GET", "/classes/{classSourcedId}/lineItems", "collection", "g0", "g10", "200", "lineItemCollection"], ["gradebook", "postLineItemsForClass", "gradebook", "POST", "/classes/{classSourcedId}/lineItems", "write", "g2", "g9", "201", "guidPairSet", "lineItemCollection"], ["gradebook", "getResultsForLineItemForClass", "gradebook", "GET", "/classes/{classSourcedId}/lineItems/{lineItemSourcedId}/results", "collection", "g0", "g10", "200", "resultCollection"], ["gradebook", "getResultsForClass", "gradebook", "GET", "/classes/{classSourcedId}/results", "collection", "g0", "g10", "200", "resultCollection"], ["gradebook", "getScoreScalesForClass", "gradebook", "GET", "/classes/{classSourcedId}/scoreScales", "collection", "g0", "g10", "200", "scoreScaleCollection"], ["gradebook", "getResultsForStudentForClass", "gradebook", "GET", "/classes/{classSourcedId}/students/{studentSourcedId}/results", "collection", "g0", "g10", "200", "resultCollection"], ["gradebook", "getAllLineItems", "gradebook", "GET", "/lineItems", "collection", "g0", "g6", "200", "lineItemCollection"], ["gradebook", "postResultsForLineItem", "gradebook", "POST", "/lineItems/{lineItemSourcedId}/results", "write", "g2", "g9", "201", "guidPairSet", "resultCollection"], ["gradebook", "getLineItem", "gradebook", "GET", "/lineItems/{sourcedId}", "singleton", "g1", "g6", "200", "lineItemSingleton"], ["gradebook", "deleteLineItem", "gradebook", "DELETE", "/lineItems/{sourcedId}", "noContent", "g2", "g7", "204", "none"], ["gradebook", "putLineItem", "gradebook", "PUT", "/lineItems/{sourcedId}", "noContent", "g2", "g8", "201", "none", "singleLineItem"], ["gradebook", "getAllResults", "gradebook", "GET", "/results", "collection", "g0", "g6", "200", "resultCollection"], ["gradebook", "getResult", "gradebook", "GET", "/results/{sourcedId}", "singleton", "g1", "g6", "200", "resultSingleton"], ["gradebook", "deleteResult", "gradebook", "DELETE", "/results/{sourcedId}", "noContent", "g2", "g7", "204", "none"], ["gradebook", "putResult", "gradebook", "PUT", "/results/{sourcedId}", "noContent", "g2", "g8", "201", "none", "singleResult"], ["gradebook", "postLineItemsForSchool", "gradebook", "POST", "/schools/{schoolSourcedId}/lineItems", "write", "g2", "g9", "201", "guidPairSet", "lineItemCollection"], ["gradebook", "getScoreScalesForSchool", "gradebook", "GET", "/schools/{schoolSourcedId}/scoreScales", "collection", "g0", "g10", "200", "scoreScaleCollection"], ["gradebook", "getAllScoreScales", "gradebook", "GET", "/scoreScales", "collection", "g0", "g6", "200", "scoreScaleCollection"], ["gradebook", "getScoreScale", "gradebook", "GET", "/scoreScales/{sourcedId}", "singleton", "g1", "g6", "200", "scoreScaleSingleton"], ["gradebook", "deleteScoreScale", "gradebook", "DELETE", "/scoreScales/{sourcedId}", "noContent", "g2", "g7", "204", "none"], ["gradebook", "putScoreScale", "gradebook", "PUT", "/scoreScales/{sourcedId}", "noContent", "g2", "g8", "201", "none", "singleScoreScale"], ["resources", "getResourcesForClass", "resources", "GET", "/classes/{classSourcedId}/resources", "collection", "g0", "g11", "200", "resourceCollection"], ["resources", "getResourcesForCourse", "resources", "GET", "/courses/{courseSourcedId}/resources", "collection", "g0", "g11", "200", "resourceCollection"], ["resources", "getAllResources", "resources", "GET", "/resources", "collection", "g0", "g12", "200", "resourceCollection"], ["resources", "getResource", "resources", "GET", "/resources/{sourcedId}", "singleton", "g1", "g12", "200", "resourceSingleton"], ["resources", "getResourcesForUser", "resources", "GET", "/users/{userSourcedId}/resources", "collection", "g0", "g11", "200", "resourceCollection"]];
var oneRosterV1p2GeneratedOperationIdsByService = {
  rostering: operationIdsForService("rostering"),
  gradebook: operationIdsForService("gradebook"),
  resources: operationIdsForService("resources")
};
var oneRosterV1p2GeneratedOperationIdsByProviderKind = {
  rostering: operationIdsForProviderKind("rostering"),
  gradebook: operationIdsForProviderKind("gradebook"),
  assessmentResults: operationIdsForProviderKind("assessmentResults"),
  resources: operationIdsForProviderKind("resources")
};
var oneRosterV1p2GeneratedOperations = operationData.map(createGeneratedOperation);
function operationIdsForService(service) {
  return operationData.filter((operation) => operation[0] === service).map((operation) => operation[1]);
}
function operationIdsForProviderKind(providerKind) {
  return operationData.filter((operation) => operation[2] === providerKind).map((operation) => operation[1]);
}
function createGeneratedOperation([
  service,
  operationId,
  providerKind,
  method,
  path,
  responseKind,
  queryGroup,
  scopeGroup,
  successStatuses,
  responseCodec,
  requestCodec
]) {
  const operation = {
    service,
    operationId,
    providerKind,
    method,
    path,
    pathParameters: pathParameters(path),
    responseKind,
    allowedQuery: queryGroups[queryGroup],
    requiredScopes: scopeGroups[scopeGroup],
    successStatuses: successStatuses.split(",").map(Number),
    responseCodec
  };
  return requestCodec === void 0 ? operation : { ...operation, requestCodec };
}
function pathParameters(path) {
  return Array.from(path.matchAll(/\{([^}]+)\}/g), (match) => match[1] ?? "");
}

// src/v1p2/rest/operation.ts
function findOneRosterV1p2Operation(operationId) {
  return oneRosterV1p2GeneratedOperations.find(
    (candidate) => candidate.operationId === operationId
  );
}

// src/v1p2/rest/access-token.ts
var accessTokenValues = /* @__PURE__ */ new WeakMap();
var OneRosterV1p2AccessToken = class _OneRosterV1p2AccessToken {
  _tag = "OneRosterV1p2AccessToken";
  constructor(bearerValue) {
    accessTokenValues.set(this, bearerValue);
  }
  /** @internal Create an opaque token without exposing its value afterward. */
  static fromTrustedValue(bearerValue) {
    return new _OneRosterV1p2AccessToken(bearerValue);
  }
  /** Prevent accidental token disclosure in diagnostics and logs. */
  toString() {
    return "[redacted OneRoster access token]";
  }
  /** Prevent accidental token disclosure when serialized as JSON. */
  toJSON() {
    return "[redacted OneRoster access token]";
  }
};
function createOneRosterV1p2AccessToken(bearerValue) {
  if (bearerValue.length === 0 || /[\r\n]/.test(bearerValue)) {
    return {
      _tag: "err",
      error: {
        _tag: "OneRosterV1p2AuthenticationError",
        code: "token_invalid",
        message: "The access token is invalid."
      }
    };
  }
  return { _tag: "ok", value: OneRosterV1p2AccessToken.fromTrustedValue(bearerValue) };
}
function readOneRosterV1p2BearerValue(token2) {
  const value = accessTokenValues.get(token2);
  if (value === void 0) {
    throw new Error("Invalid OneRoster access-token object.");
  }
  return value;
}

// src/rest/filter.ts
function createOneRosterRestFilterFacade(grammar, mapCombination) {
  const constructors = createOneRosterRestFilterClauseConstructors(grammar);
  return {
    ...constructors,
    combine: (left, join, right) => mapCombination(grammar.createCombination(left, join, right)),
    parse: (input) => parseOneRosterRestFilterInput(input, grammar),
    parseExpression: (input) => parseOneRosterRestFilterExpression(input, grammar),
    serialize: (filter2) => serializeOneRosterRestFilter(filter2, grammar.isCombination)
  };
}
function createOneRosterRestFilterClauseConstructors(grammar) {
  const create = (field, operator, value) => createOneRosterRestFilterClause(field, operator, value, grammar);
  const withOperator = (operator) => (field, value) => create(field, operator, value);
  return {
    create,
    equals: withOperator("="),
    notEquals: withOperator("!="),
    greaterThan: withOperator(">"),
    greaterThanOrEqual: withOperator(">="),
    lessThan: withOperator("<"),
    lessThanOrEqual: withOperator("<="),
    contains: withOperator("~")
  };
}
function createOneRosterRestFilterClause(field, operator, value, grammar) {
  return parseClause(grammar.createClause(field, operator, value), "$", grammar);
}
function parseOneRosterRestFilterInput(input, grammar) {
  if (!isRecord(input)) {
    return err([createFilterDiagnostic(grammar, "invalid_filter", "$.filter")]);
  }
  if (!grammar.isCombinationInput(input)) {
    return parseClause(input, "$.filter", grammar);
  }
  const left = parseClause(input["left"], "$.filter.left", grammar);
  if (left._tag === "err") return left;
  const join = input["join"];
  if (join !== "AND" && join !== "OR") {
    return err([createFilterDiagnostic(grammar, "invalid_combination", "$.filter.join")]);
  }
  const right = parseClause(input["right"], "$.filter.right", grammar);
  if (right._tag === "err") return right;
  return ok(grammar.createCombination(left.value, join, right.value));
}
function parseOneRosterRestFilterExpression(input, grammar) {
  const combined = filterCombinationExpression.exec(input);
  if (combined !== null) {
    const left = parseExpressionClause(combined, 1, "$.filter.left", grammar);
    if (left._tag === "err") return left;
    const right = parseExpressionClause(combined, 5, "$.filter.right", grammar);
    if (right._tag === "err") return right;
    const join = combined[4];
    if (join !== "AND" && join !== "OR") {
      return err([createFilterDiagnostic(grammar, "invalid_combination", "$.filter.join")]);
    }
    return ok(grammar.createCombination(left.value, join, right.value));
  }
  const clause = filterClauseExpression.exec(input);
  return clause === null ? err([createFilterDiagnostic(grammar, "invalid_filter", "$.filter")]) : parseExpressionClause(clause, 1, "$.filter", grammar);
}
function serializeOneRosterRestFilter(filter2, isCombination2) {
  if (!isCombination2(filter2)) return serializeClause(filter2);
  return `${serializeClause(filter2.left)} ${filter2.join} ${serializeClause(filter2.right)}`;
}
function parseClause(input, path, grammar) {
  if (!isRecord(input) || !grammar.isClauseInput(input)) {
    return err([createFilterDiagnostic(grammar, "invalid_clause", path)]);
  }
  const field = input["field"];
  if (typeof field !== "string" || !isSafeField(field)) {
    return err([createFilterDiagnostic(grammar, "invalid_field", `${path}.field`)]);
  }
  const operator = input["operator"];
  if (!isOperator(operator)) {
    return err([createFilterDiagnostic(grammar, "invalid_operator", `${path}.operator`)]);
  }
  const value = input["value"];
  if (!isValue(value)) {
    return err([createFilterDiagnostic(grammar, "invalid_value", `${path}.value`)]);
  }
  return ok(grammar.createClause(field, operator, value));
}
var fieldExpression = "([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)";
var operatorExpression = "(!=|>=|<=|=|>|<|~)";
var valueExpression = "'((?:''|[^'])*)'";
var filterClauseExpression = new RegExp(
  `^${fieldExpression}${operatorExpression}${valueExpression}$`
);
var filterCombinationExpression = new RegExp(
  `^${fieldExpression}${operatorExpression}${valueExpression} (AND|OR) ${fieldExpression}${operatorExpression}${valueExpression}$`
);
function parseExpressionClause(match, offset, path, grammar) {
  const field = match[offset];
  const operator = match[offset + 1];
  const value = match[offset + 2];
  if (field === void 0 || operator === void 0 || value === void 0) {
    return err([createFilterDiagnostic(grammar, "invalid_filter", path)]);
  }
  if (!isOperator(operator)) {
    return err([createFilterDiagnostic(grammar, "invalid_operator", `${path}.operator`)]);
  }
  return ok(grammar.createClause(field, operator, value.replaceAll("''", "'")));
}
function createFilterDiagnostic(grammar, kind, path) {
  switch (kind) {
    case "invalid_field":
      return grammar.createDiagnostic("invalid_field", path, "The filter field path is invalid.");
    case "invalid_operator":
      return grammar.createDiagnostic("invalid_operator", path, "The filter operator is invalid.");
    case "invalid_combination":
      return grammar.createDiagnostic("invalid_combination", path, "join must be AND or OR.");
    case "invalid_filter":
      return grammar.createDiagnostic("invalid_value", path, "filter must be an object.");
    case "invalid_clause":
      return grammar.createDiagnostic("invalid_value", path, "A filter clause is invalid.");
    case "invalid_value":
      return grammar.createDiagnostic("invalid_value", path, "The filter value is invalid.");
    default: {
      const exhaustiveKind = kind;
      throw new Error(`Unhandled OneRoster filter failure kind: ${String(exhaustiveKind)}.`);
    }
  }
}
function serializeClause(clause) {
  return `${clause.field}${clause.operator}'${String(clause.value).replaceAll("'", "''")}'`;
}
function isOperator(input) {
  return input === "=" || input === "!=" || input === ">" || input === ">=" || input === "<" || input === "<=" || input === "~";
}
function isValue(input) {
  return typeof input === "string" || typeof input === "boolean" || typeof input === "number" && Number.isFinite(input);
}
function isSafeField(input) {
  return /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(input);
}
function isRecord(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}

// src/v1p2/rest/filter.ts
var filter = createOneRosterRestFilterFacade(
  {
    isClauseInput: (input) => input["_tag"] === "OneRosterV1p2FilterClause",
    isCombinationInput: (input) => input["_tag"] === "OneRosterV1p2FilterCombination",
    isCombination,
    createClause: (field, operator, value) => ({
      _tag: "OneRosterV1p2FilterClause",
      field,
      operator,
      value
    }),
    createCombination: (left, join, right) => ({
      _tag: "OneRosterV1p2FilterCombination",
      left,
      join,
      right
    }),
    createDiagnostic: (code, path, message) => ({
      _tag: "OneRosterV1p2PayloadDiagnostic",
      code: `query.${code}`,
      path,
      message
    })
  },
  (combination) => ok(combination)
);
var {
  create: createOneRosterV1p2FilterClause,
  equals: createOneRosterV1p2EqualsFilter,
  notEquals: createOneRosterV1p2NotEqualsFilter,
  greaterThan: createOneRosterV1p2GreaterThanFilter,
  greaterThanOrEqual: createOneRosterV1p2GreaterThanOrEqualFilter,
  lessThan: createOneRosterV1p2LessThanFilter,
  lessThanOrEqual: createOneRosterV1p2LessThanOrEqualFilter,
  contains: createOneRosterV1p2ContainsFilter,
  combine: combineOneRosterV1p2Filters,
  parse: parseOneRosterV1p2FilterInput,
  parseExpression: parseOneRosterV1p2FilterExpression,
  serialize: serializeOneRosterV1p2Filter
} = filter;
function isCombination(input) {
  return input._tag === "OneRosterV1p2FilterCombination";
}

// src/rest/query.ts
var allQueryCategories = [
  "limit",
  "offset",
  "sort",
  "orderBy",
  "filter",
  "fields"
];
function createOneRosterRestQueryParser(grammar) {
  const diagnostic2 = grammar.createDiagnostic;
  function create(input) {
    const validInteger = grammar.requireSafeIntegers ? Number.isSafeInteger : Number.isInteger;
    if (input.limit !== void 0 && (!validInteger(input.limit) || input.limit <= 0)) {
      return err([diagnostic2("invalid_value", "$.limit", "limit must be a positive integer.")]);
    }
    if (input.offset !== void 0 && (!validInteger(input.offset) || input.offset < 0)) {
      return err([
        diagnostic2("invalid_value", "$.offset", "offset must be a non-negative integer.")
      ]);
    }
    if (input.sort !== void 0 && !validFieldPath(input.sort)) {
      return err([diagnostic2("invalid_field", "$.sort", "sort must be a safe field path.")]);
    }
    if (input.orderBy !== void 0 && input.sort === void 0) {
      return err([diagnostic2("invalid_combination", "$.orderBy", "orderBy requires sort.")]);
    }
    if (grammar.requireOrderByForSort && input.sort !== void 0 && input.orderBy === void 0) {
      return err([diagnostic2("invalid_combination", "$.sort", "sort requires orderBy.")]);
    }
    if (input.fields !== void 0 && !validFields(input.fields)) {
      return err([
        diagnostic2("invalid_field", "$.fields", "fields must contain safe, non-empty field paths.")
      ]);
    }
    return ok({
      ...input.limit === void 0 ? {} : { limit: input.limit },
      ...input.offset === void 0 ? {} : { offset: input.offset },
      ...input.sort === void 0 ? {} : { sort: input.sort },
      ...input.orderBy === void 0 ? {} : { orderBy: input.orderBy },
      ...input.filter === void 0 ? {} : { filter: input.filter },
      ...input.fields === void 0 ? {} : { fields: [...input.fields] }
    });
  }
  function parse(input) {
    if (!isRecord2(input)) {
      return err([diagnostic2("invalid_value", "$", "query must be an object.")]);
    }
    const limit = optionalNumber(input["limit"], "$.limit", diagnostic2);
    if (limit._tag === "err") return limit;
    const offset = optionalNumber(input["offset"], "$.offset", diagnostic2);
    if (offset._tag === "err") return offset;
    const sort = optionalString(input["sort"], "$.sort", diagnostic2);
    if (sort._tag === "err") return sort;
    const orderBy = optionalOrderBy(input["orderBy"], diagnostic2);
    if (orderBy._tag === "err") return orderBy;
    const fields = optionalFields(input["fields"], diagnostic2);
    if (fields._tag === "err") return fields;
    const filter2 = input["filter"] === void 0 ? ok(void 0) : grammar.parseFilter(input["filter"]);
    if (filter2._tag === "err") return filter2;
    return create({
      ...limit.value === void 0 ? {} : { limit: limit.value },
      ...offset.value === void 0 ? {} : { offset: offset.value },
      ...sort.value === void 0 ? {} : { sort: sort.value },
      ...orderBy.value === void 0 ? {} : { orderBy: orderBy.value },
      ...filter2.value === void 0 ? {} : { filter: filter2.value },
      ...fields.value === void 0 ? {} : { fields: fields.value }
    });
  }
  function serialize(query, allowedCategories = allQueryCategories) {
    const valid = create(query);
    if (valid._tag === "err") return valid;
    return serializeOneRosterRestQuery(
      valid.value,
      allowedCategories,
      grammar.serializeFilter,
      diagnostic2
    );
  }
  function parseUrl(params, allowedCategories = allQueryCategories) {
    const keys = [...params.keys()];
    if (keys.length === 0) return ok(void 0);
    const allowed = new Set(allowedCategories);
    const values = {};
    for (const key of new Set(keys)) {
      if (!isQueryCategory(key) || !allowed.has(key)) {
        return err([
          diagnostic2(
            "invalid_combination",
            `$.${key}`,
            "This operation does not allow this query parameter."
          )
        ]);
      }
      const entries = params.getAll(key);
      if (entries.length !== 1 || entries[0] === void 0) {
        return err([
          diagnostic2("invalid_value", `$.${key}`, "Query parameters must occur exactly once.")
        ]);
      }
      values[key] = entries[0];
    }
    const limit = parseUrlInteger(values["limit"], "$.limit", diagnostic2);
    if (limit._tag === "err") return limit;
    const offset = parseUrlInteger(values["offset"], "$.offset", diagnostic2);
    if (offset._tag === "err") return offset;
    const orderBy = parseUrlOrderBy(values["orderBy"], diagnostic2);
    if (orderBy._tag === "err") return orderBy;
    const filter2 = values["filter"] === void 0 ? ok(void 0) : grammar.parseFilterExpression(values["filter"]);
    if (filter2._tag === "err") return filter2;
    return create({
      ...limit.value === void 0 ? {} : { limit: limit.value },
      ...offset.value === void 0 ? {} : { offset: offset.value },
      ...values["sort"] === void 0 ? {} : { sort: values["sort"] },
      ...orderBy.value === void 0 ? {} : { orderBy: orderBy.value },
      ...filter2.value === void 0 ? {} : { filter: filter2.value },
      ...values["fields"] === void 0 ? {} : { fields: values["fields"].split(",") }
    });
  }
  return {
    parse,
    parseUrl,
    create,
    serialize,
    withOffset: (query, offset) => create({ ...query, offset })
  };
}
function parseUrlInteger(input, path, diagnostic2) {
  if (input === void 0) return ok(void 0);
  if (!/^(?:0|[1-9][0-9]*)$/.test(input)) {
    return err([diagnostic2("invalid_value", path, "The query parameter must be an integer.")]);
  }
  return ok(Number(input));
}
function isQueryCategory(input) {
  return allQueryCategories.some((category) => category === input);
}
function parseUrlOrderBy(input, diagnostic2) {
  if (input === void 0 || input === "asc" || input === "desc") return ok(input);
  return err([diagnostic2("invalid_value", "$.orderBy", "orderBy must be either asc or desc.")]);
}
function serializeOneRosterRestQuery(query, allowedCategories, serializeFilter, createDiagnostic) {
  const allowed = new Set(allowedCategories);
  const params = new URLSearchParams();
  const fields = [
    {
      category: "limit",
      present: query.limit !== void 0,
      serialize: () => String(query.limit)
    },
    {
      category: "offset",
      present: query.offset !== void 0,
      serialize: () => String(query.offset)
    },
    { category: "sort", present: query.sort !== void 0, serialize: () => query.sort ?? "" },
    {
      category: "orderBy",
      present: query.orderBy !== void 0,
      serialize: () => query.orderBy ?? ""
    },
    {
      category: "filter",
      present: query.filter !== void 0,
      serialize: () => query.filter === void 0 ? "" : serializeFilter(query.filter)
    },
    {
      category: "fields",
      present: query.fields !== void 0,
      serialize: () => query.fields?.join(",") ?? ""
    }
  ];
  for (const field of fields) {
    if (!field.present) continue;
    if (!allowed.has(field.category)) {
      return err([
        createDiagnostic(
          "invalid_combination",
          `$.${field.category}`,
          `This operation does not allow ${field.category}.`
        )
      ]);
    }
    params.set(field.category, field.serialize());
  }
  return ok(params.toString());
}
function optionalNumber(input, path, diagnostic2) {
  if (input === void 0) return ok(void 0);
  return typeof input === "number" ? ok(input) : err([diagnostic2("invalid_value", path, "The query value must be a number.")]);
}
function optionalString(input, path, diagnostic2) {
  if (input === void 0) return ok(void 0);
  return typeof input === "string" ? ok(input) : err([diagnostic2("invalid_value", path, "The query value must be a string.")]);
}
function optionalOrderBy(input, diagnostic2) {
  if (input === void 0) return ok(void 0);
  return input === "asc" || input === "desc" ? ok(input) : err([diagnostic2("invalid_value", "$.orderBy", "orderBy must be asc or desc.")]);
}
function optionalFields(input, diagnostic2) {
  if (input === void 0) return ok(void 0);
  if (!Array.isArray(input) || !input.every((field) => typeof field === "string")) {
    return err([diagnostic2("invalid_value", "$.fields", "fields must be an array of strings.")]);
  }
  return ok(input.filter((field) => typeof field === "string"));
}
function validFieldPath(value) {
  return /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(value);
}
function validFields(fields) {
  return fields.length > 0 && fields.every(validFieldPath);
}
function isRecord2(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}

// src/v1p2/rest/query.ts
var queryParser = createOneRosterRestQueryParser({
  parseFilter: parseOneRosterV1p2FilterInput,
  parseFilterExpression: parseOneRosterV1p2FilterExpression,
  serializeFilter: serializeOneRosterV1p2Filter,
  createDiagnostic: (code, path, message) => ({
    _tag: "OneRosterV1p2PayloadDiagnostic",
    code: `query.${code}`,
    path,
    message
  }),
  requireOrderByForSort: true,
  requireSafeIntegers: false
});
var parseOneRosterV1p2QueryInput = queryParser.parse;
var parseOneRosterV1p2QueryParameters = queryParser.parseUrl;
var createOneRosterV1p2Query = queryParser.create;
var serializeOneRosterV1p2Query = queryParser.serialize;
var withOneRosterV1p2QueryOffset = queryParser.withOffset;

// src/rest/page.ts
function hasMoreOneRosterRestPage(page2) {
  if (page2.links.next !== void 0) return true;
  if (page2.totalCount !== void 0) {
    return page2.offset + page2.items.length < page2.totalCount;
  }
  return page2.items.length > 0;
}
function parseOneRosterRestPageMetadata(headers, query, operationId, defaultLimit, createError) {
  const totalHeader = headers.get("X-Total-Count");
  let totalCount;
  if (totalHeader !== null) {
    if (!/^\d+$/.test(totalHeader)) return err(createError(operationId));
    const parsed = Number(totalHeader);
    if (!Number.isSafeInteger(parsed) || parsed < 0) return err(createError(operationId));
    totalCount = parsed;
  }
  const links = parseOneRosterRestPageLinks(headers.get("Link"), createError, operationId);
  if (links._tag === "err") return links;
  return ok({
    limit: query?.limit ?? defaultLimit,
    offset: query?.offset ?? 0,
    links: links.value,
    ...totalCount === void 0 ? {} : { totalCount }
  });
}
function parseOneRosterRestPageLinks(header, createError, operationId) {
  if (header === null || header.trim() === "") return ok({});
  const links = {};
  for (const part of header.split(",")) {
    const match = /^\s*<([^>]+)>\s*;\s*rel="([^"]+)"\s*$/.exec(part);
    if (match === null) return err(createError(operationId));
    const target = match[1];
    const relation = match[2];
    if (target === void 0 || relation === void 0 || target.length === 0) {
      return err(createError(operationId));
    }
    if (relation === "first" || relation === "prev" || relation === "next" || relation === "last") {
      if (links[relation] !== void 0) return err(createError(operationId));
      links[relation] = target;
    }
  }
  return ok(links);
}

// src/v1p2/rest/page.ts
function parseOneRosterV1p2PageMetadata(headers, query, operationId) {
  return parseOneRosterRestPageMetadata(headers, query, operationId, 100, paginationError);
}
function paginationError(operationId) {
  return {
    _tag: "OneRosterV1p2PaginationError",
    code: "malformed_pagination",
    operationId,
    message: "Pagination metadata is malformed."
  };
}

// src/rest/retry.ts
var oneRosterRestSystemRetryClock = {
  nowMilliseconds: () => Date.now()
};
function parseOneRosterRestRetryPolicy(input) {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return err("invalid_retry_policy");
  }
  const value = input;
  if (!positiveSafeInteger(value.maxAttempts) || value.maxAttempts < 2) {
    return err("invalid_retry_policy");
  }
  if (!positiveSafeInteger(value.maxElapsedMilliseconds)) {
    return err("invalid_retry_policy");
  }
  const statusCodes = value.statusCodes ?? [429, 502, 503];
  if (!Array.isArray(statusCodes) || statusCodes.length === 0 || statusCodes.some((status) => !Number.isSafeInteger(status) || status < 400 || status > 599)) {
    return err("invalid_retry_policy");
  }
  if (value.retryConnectionErrors !== void 0 && typeof value.retryConnectionErrors !== "boolean") {
    return err("invalid_retry_policy");
  }
  if (value.backoffMilliseconds !== void 0 && typeof value.backoffMilliseconds !== "function") {
    return err("invalid_retry_policy");
  }
  return ok({
    maxAttempts: value.maxAttempts,
    maxElapsedMilliseconds: value.maxElapsedMilliseconds,
    statusCodes: new Set(statusCodes),
    retryConnectionErrors: value.retryConnectionErrors ?? true,
    backoffMilliseconds: value.backoffMilliseconds ?? ((context) => context.retryAfterMilliseconds ?? Math.min(2 ** (context.attempt - 1) * 100, 5e3))
  });
}
function parseOneRosterRestRetryAfter(value, nowMilliseconds) {
  if (value === null) return void 0;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    const milliseconds = seconds * 1e3;
    return Number.isSafeInteger(seconds) && Number.isSafeInteger(milliseconds) ? milliseconds : void 0;
  }
  const date = Date.parse(trimmed);
  if (!Number.isFinite(date)) return void 0;
  return Math.max(0, date - nowMilliseconds);
}
async function scheduleOneRosterRestRetry(input) {
  if (input.policy === void 0 || input.method !== "GET" || input.attempt >= input.policy.maxAttempts) {
    return "stop";
  }
  let delayMilliseconds;
  try {
    delayMilliseconds = input.policy.backoffMilliseconds({
      attempt: input.attempt,
      ...input.retryAfterMilliseconds === void 0 ? {} : { retryAfterMilliseconds: input.retryAfterMilliseconds }
    });
  } catch (cause) {
    void cause;
    return "stop";
  }
  if (!Number.isFinite(delayMilliseconds) || delayMilliseconds < 0) return "stop";
  if (input.clock.nowMilliseconds() - input.startedAtMilliseconds + delayMilliseconds > input.policy.maxElapsedMilliseconds) {
    return "stop";
  }
  return await waitForOneRosterRestRetry(delayMilliseconds, { signal: input.signal }) ? "retry" : "cancelled";
}
async function waitForOneRosterRestRetry(delayMilliseconds, options) {
  if (options.signal.aborted) return false;
  return await new Promise((resolve) => {
    let timeout;
    let settled = false;
    const finish = (value) => {
      if (settled) return;
      settled = true;
      if (timeout !== void 0) clearTimeout(timeout);
      options.signal.removeEventListener("abort", cancel);
      resolve(value);
    };
    const cancel = () => finish(false);
    timeout = setTimeout(() => finish(true), delayMilliseconds);
    options.signal.addEventListener("abort", cancel, { once: true });
  });
}
function positiveSafeInteger(value) {
  return Number.isSafeInteger(value) && typeof value === "number" && value > 0;
}

// src/v1p2/rest/client-configuration.ts
function createOneRosterV1p2ClientConfiguration(input) {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return err(
      configurationError("invalid_service_url", "", "REST client configuration must be an object.")
    );
  }
  const value = input;
  if (value.serviceBaseUrls === void 0 || value.serviceBaseUrls === null || typeof value.serviceBaseUrls !== "object") {
    return err(
      configurationError("invalid_service_url", "", "serviceBaseUrls must be provided explicitly.")
    );
  }
  if (typeof value.accessTokenProvider !== "function") {
    return err(
      configurationError(
        "invalid_token_provider",
        "",
        "An access-token provider must be supplied."
      )
    );
  }
  if (value.fetch !== void 0 && typeof value.fetch !== "function") {
    return err(
      configurationError("invalid_fetch", "", "The injected fetch seam must be callable.")
    );
  }
  if (value.retryClock !== void 0 && !isRetryClock(value.retryClock)) {
    return err(
      configurationError(
        "invalid_retry_policy",
        "",
        "The retry clock must expose nowMilliseconds()."
      )
    );
  }
  const baseUrls = {};
  for (const service of ["rostering", "gradebook", "resources"]) {
    const baseUrl = value.serviceBaseUrls[service];
    if (baseUrl === void 0) continue;
    if (!isValidServiceUrl(baseUrl)) {
      return err(
        configurationError(
          "invalid_service_url",
          service,
          "A service base URL must be an absolute HTTP(S) URL without credentials or query state."
        )
      );
    }
    baseUrls[service] = normalizeBaseUrl(baseUrl);
  }
  const fetchFunction = value.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== "function") {
    return err(
      configurationError("invalid_fetch", "", "No Web Platform fetch implementation is available.")
    );
  }
  const retryPolicy = value.retryPolicy === void 0 ? void 0 : parseOneRosterRestRetryPolicy(value.retryPolicy);
  if (retryPolicy?._tag === "err") {
    return err(
      configurationError(
        "invalid_retry_policy",
        "",
        "The read retry policy must be explicitly bounded and valid."
      )
    );
  }
  return ok({
    serviceBaseUrls: baseUrls,
    accessTokenProvider: value.accessTokenProvider,
    fetch: fetchFunction,
    retryClock: value.retryClock ?? oneRosterRestSystemRetryClock,
    ...retryPolicy === void 0 ? {} : { retryPolicy: retryPolicy.value }
  });
}
function isRetryClock(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input) && "nowMilliseconds" in input && typeof input.nowMilliseconds === "function";
}
function isValidServiceUrl(value) {
  if (typeof value !== "string" || value.length === 0) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "" && url.search === "" && url.hash === "";
  } catch (cause) {
    void cause;
    return false;
  }
}
function normalizeBaseUrl(value) {
  return value.endsWith("/") ? value.slice(0, -1) : value;
}
function configurationError(code, operationId, message) {
  return { _tag: "OneRosterV1p2ConfigurationError", code, operationId, message };
}

// src/rest/transport.ts
function snapshotOneRosterRestHeaders(headers) {
  const result = {};
  for (const name of ["content-type", "x-total-count", "link", "retry-after", "x-request-id"]) {
    const value = headers.get(name);
    if (value !== null) result[name] = value;
  }
  return result;
}
function isOneRosterRestJsonContentType(contentType) {
  if (contentType === void 0) return false;
  const mediaType = contentType.split(";", 1)[0]?.trim().toLowerCase();
  return mediaType === "application/json" || mediaType?.endsWith("+json") === true;
}
function isOneRosterRestAbortCause(cause) {
  return typeof cause === "object" && cause !== null && "name" in cause && cause.name === "AbortError";
}
function setOneRosterRestHeaders(headers, value) {
  const additions = new Headers(value);
  additions.forEach((headerValue, headerName) => headers.set(headerName, headerValue));
}
function createOneRosterRestMechanics(configuration) {
  const request = async (input) => {
    const signal = input.signal ?? new AbortController().signal;
    if (signal.aborted) return err(configuration.errors.cancellation(input.operation.operationId));
    const url = configuration.resolveUrl(input.operation, input.pathParameters, input.query);
    if (url._tag === "err") return url;
    let body;
    if (input.body !== void 0) {
      try {
        body = JSON.stringify(input.body);
      } catch (cause) {
        void cause;
        return err(
          configuration.errors.payload(input.operation.operationId, [
            { code: "payload.invalid_value", path: "$.body" }
          ])
        );
      }
      if (body === void 0) {
        return err(
          configuration.errors.payload(input.operation.operationId, [
            { code: "payload.invalid_value", path: "$.body" }
          ])
        );
      }
    }
    const startedAt = configuration.retryClock.nowMilliseconds();
    let attempt = 1;
    let response;
    while (true) {
      const fetchAttempt = await performOneRosterRestFetchAttempt(configuration, {
        url: url.value,
        operation: input.operation,
        body,
        signal
      });
      if (fetchAttempt._tag === "failure") {
        if (!fetchAttempt.retryConnection || configuration.retryPolicy?.retryConnectionErrors !== true) {
          return err(fetchAttempt.error);
        }
        const retry = await scheduleOneRosterRestRetry({
          policy: configuration.retryPolicy,
          method: input.operation.method,
          attempt,
          startedAtMilliseconds: startedAt,
          retryAfterMilliseconds: void 0,
          clock: configuration.retryClock,
          signal
        });
        if (retry === "cancelled") {
          return err(configuration.errors.cancellation(input.operation.operationId));
        }
        if (retry === "retry") {
          attempt += 1;
          continue;
        }
        return err(fetchAttempt.error);
      }
      response = fetchAttempt.response;
      if (!input.operation.successStatuses.includes(response.status) && configuration.retryPolicy?.statusCodes.has(response.status) === true) {
        const retry = await scheduleOneRosterRestRetry({
          policy: configuration.retryPolicy,
          method: input.operation.method,
          attempt,
          startedAtMilliseconds: startedAt,
          retryAfterMilliseconds: parseOneRosterRestRetryAfter(
            response.headers.get("retry-after"),
            configuration.retryClock.nowMilliseconds()
          ),
          clock: configuration.retryClock,
          signal
        });
        if (retry === "cancelled") {
          return err(configuration.errors.cancellation(input.operation.operationId));
        }
        if (retry === "retry") {
          try {
            await response.body?.cancel();
          } catch (cause) {
            void cause;
          }
          attempt += 1;
          continue;
        }
      }
      break;
    }
    const safeHeaders = snapshotOneRosterRestHeaders(response.headers);
    if (!input.operation.successStatuses.includes(response.status)) {
      return err(
        await configuration.parseHttpError(input.operation.operationId, response, safeHeaders)
      );
    }
    if (input.operation.responseKind === "noContent" || response.status === 204 || configuration.skipResponseBody(input.operation)) {
      return ok({ status: response.status, headers: safeHeaders });
    }
    const contentType = response.headers.get("content-type") ?? void 0;
    if (!isOneRosterRestJsonContentType(contentType)) {
      return err(configuration.errors.contentType(input.operation.operationId, contentType));
    }
    let text;
    try {
      text = await response.text();
    } catch (cause) {
      if (signal.aborted || isOneRosterRestAbortCause(cause)) {
        return err(configuration.errors.cancellation(input.operation.operationId));
      }
      return err(configuration.errors.network(input.operation.operationId));
    }
    let json;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      void cause;
      return err(configuration.errors.json(input.operation.operationId));
    }
    if (input.responseParser === void 0) {
      return err(
        configuration.errors.payload(input.operation.operationId, [
          { code: "payload.invalid_value", path: "$" }
        ])
      );
    }
    const parsed = input.responseParser(json, "$");
    if (parsed._tag === "err") {
      return err(configuration.errors.payload(input.operation.operationId, parsed.error));
    }
    return ok({ status: response.status, headers: safeHeaders, data: parsed.value });
  };
  const requestPage = async (input) => {
    const response = await request({
      operation: input.operation,
      ...input.pathParameters === void 0 ? {} : { pathParameters: input.pathParameters },
      ...input.query === void 0 ? {} : { query: input.query },
      responseParser: input.parsePayload,
      ...input.signal === void 0 ? {} : { signal: input.signal }
    });
    if (response._tag === "err") return response;
    if (response.value.data === void 0) {
      return err(
        configuration.errors.payload(input.operation.operationId, [
          { code: "payload.invalid_value", path: "$" }
        ])
      );
    }
    const metadata = configuration.parsePageMetadata(
      new Headers(response.value.headers),
      input.query,
      input.operation.operationId
    );
    if (metadata._tag === "err") return metadata;
    return ok({ items: response.value.data, ...metadata.value });
  };
  const iteratePages = async function* (input) {
    if (!validBound(input.maxPages)) {
      yield err(configuration.errors.collectionLimit(input.operation.operationId, "maxPages"));
      return;
    }
    if (input.maxItems !== void 0 && !validBound(input.maxItems)) {
      yield err(configuration.errors.collectionLimit(input.operation.operationId, "maxItems"));
      return;
    }
    let query = input.query;
    let pages = 0;
    let itemCount = 0;
    const visited = /* @__PURE__ */ new Set();
    while (true) {
      if (pages >= input.maxPages) {
        yield err(configuration.errors.collectionLimit(input.operation.operationId, "maxPages"));
        return;
      }
      const page2 = await requestPage({
        operation: input.operation,
        parsePayload: input.parsePayload,
        ...input.pathParameters === void 0 ? {} : { pathParameters: input.pathParameters },
        ...query === void 0 ? {} : { query },
        ...input.signal === void 0 ? {} : { signal: input.signal }
      });
      if (page2._tag === "err") {
        yield page2;
        return;
      }
      pages += 1;
      if (input.maxItems !== void 0 && itemCount + page2.value.items.length > input.maxItems) {
        yield err(configuration.errors.collectionLimit(input.operation.operationId, "maxItems"));
        return;
      }
      itemCount += page2.value.items.length;
      yield page2;
      if (!hasMoreOneRosterRestPage(page2.value)) return;
      const next = page2.value.links.next;
      if (next === void 0) {
        const nextQuery2 = configuration.withQueryOffset(
          query,
          page2.value.offset + page2.value.items.length,
          input.operation.operationId
        );
        if (nextQuery2._tag === "err") {
          yield nextQuery2;
          return;
        }
        query = nextQuery2.value;
        continue;
      }
      if (visited.has(next)) {
        yield err(configuration.errors.collectionLimit(input.operation.operationId, "repeatedUrl"));
        return;
      }
      visited.add(next);
      const nextQuery = configuration.queryFromLink(
        next,
        query,
        page2.value.offset + page2.value.items.length,
        input.operation.operationId
      );
      if (nextQuery._tag === "err") {
        yield nextQuery;
        return;
      }
      query = nextQuery.value;
    }
  };
  const collectAll = async (input) => {
    const items = [];
    for await (const page2 of iteratePages(input)) {
      if (page2._tag === "err") return page2;
      items.push(...page2.value.items);
    }
    return ok(items);
  };
  return { request, requestPage, iteratePages, collectAll };
}
async function performOneRosterRestFetchAttempt(configuration, input) {
  const headers = new Headers({ Accept: "application/json" });
  if (input.body !== void 0) headers.set("Content-Type", "application/json");
  let request;
  try {
    request = new Request(input.url, {
      method: input.operation.method,
      headers,
      ...input.body === void 0 ? {} : { body: input.body },
      signal: input.signal
    });
  } catch (cause) {
    void cause;
    return {
      _tag: "failure",
      error: configuration.errors.network(input.operation.operationId),
      retryConnection: false
    };
  }
  let authorization;
  try {
    authorization = await configuration.authorize({
      request,
      operation: input.operation,
      signal: input.signal
    });
  } catch (cause) {
    return {
      _tag: "failure",
      error: input.signal.aborted || isOneRosterRestAbortCause(cause) ? configuration.errors.cancellation(input.operation.operationId) : configuration.errors.authorization(input.operation.operationId),
      retryConnection: false
    };
  }
  if (authorization._tag === "err") {
    return { _tag: "failure", error: authorization.error, retryConnection: false };
  }
  setOneRosterRestHeaders(headers, authorization.value);
  try {
    const init = { method: input.operation.method, headers, signal: input.signal };
    if (input.body !== void 0) init.body = input.body;
    const response = await configuration.fetch(input.url, init);
    return { _tag: "response", response };
  } catch (cause) {
    return {
      _tag: "failure",
      error: input.signal.aborted || isOneRosterRestAbortCause(cause) ? configuration.errors.cancellation(input.operation.operationId) : configuration.errors.network(input.operation.operationId),
      retryConnection: !input.signal.aborted && !isOneRosterRestAbortCause(cause)
    };
  }
}
function validBound(value) {
  return Number.isSafeInteger(value) && value > 0;
}

// src/rest/url.ts
function substituteOneRosterRestPathParameters(operation, pathParameters3, createError) {
  let path = operation.path;
  for (const parameter of operation.pathParameters) {
    const value = pathParameters3?.[parameter];
    if (value === void 0) {
      return err(createError(operation.operationId, "missing_path_parameter", parameter));
    }
    if (value.length === 0) {
      return err(createError(operation.operationId, "invalid_path_parameter", parameter));
    }
    path = path.replace(`{${parameter}}`, encodeURIComponent(value));
  }
  return ok(path);
}

// src/rest/transport-errors.ts
function createOneRosterRestTransportErrors(tagPrefix, messages) {
  return {
    cancellation: (operationId) => ({
      _tag: `${tagPrefix}CancellationError`,
      code: "cancelled",
      operationId,
      message: messages.cancellation
    }),
    network: (operationId) => ({
      _tag: `${tagPrefix}NetworkError`,
      code: "network_failure",
      operationId,
      message: messages.network
    }),
    query: (operationId, diagnostics) => ({
      _tag: `${tagPrefix}QueryError`,
      code: "invalid_query",
      operationId,
      diagnostics,
      message: messages.query
    }),
    pathParameter: (operationId, code, parameter) => ({
      _tag: `${tagPrefix}PathParameterError`,
      code,
      operationId,
      parameter,
      message: messages.pathParameter
    }),
    contentType: (operationId, contentType) => ({
      _tag: `${tagPrefix}ContentTypeError`,
      code: "unexpected_content_type",
      operationId,
      ...contentType === void 0 ? {} : { contentType },
      message: messages.contentType
    }),
    json: (operationId) => ({
      _tag: `${tagPrefix}JsonError`,
      code: "malformed_json",
      operationId,
      message: messages.json
    }),
    payload: (operationId, diagnostics) => ({
      _tag: `${tagPrefix}PayloadError`,
      code: "payload_validation_failure",
      operationId,
      diagnostics,
      message: messages.payload
    }),
    pagination: (operationId) => ({
      _tag: `${tagPrefix}PaginationError`,
      code: "malformed_pagination",
      operationId,
      message: messages.pagination
    }),
    collectionLimit: (operationId, limitKind) => ({
      _tag: `${tagPrefix}CollectionLimitError`,
      code: "collection_limit",
      operationId,
      limitKind,
      message: messages.collectionLimit
    })
  };
}

// src/rest/query-from-link.ts
function parseOneRosterRestQueryFromLink(input) {
  let url;
  try {
    url = new URL(input.link, "https://oneroster.invalid");
  } catch (cause) {
    void cause;
    return err(input.paginationError(input.operationId));
  }
  const offsetText = url.searchParams.get("offset");
  const offset = offsetText === null ? input.fallbackOffset : Number(offsetText);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    return err(input.paginationError(input.operationId));
  }
  let query = input.current;
  if (input.withLinkLimit !== void 0) {
    const limitText = url.searchParams.get("limit");
    const limit = limitText === null ? input.current?.limit : Number(limitText);
    if (limit !== void 0 && (!Number.isSafeInteger(limit) || limit <= 0)) {
      return err(input.paginationError(input.operationId));
    }
    query = input.withLinkLimit(input.current, limit);
  }
  return input.withQueryOffset(query, offset, input.operationId);
}

// src/v1p2/rest/transport.ts
var transportErrors = createOneRosterRestTransportErrors("OneRosterV1p2", {
  cancellation: "The OneRoster request was cancelled.",
  network: "The OneRoster request could not be completed.",
  query: "The OneRoster query is invalid.",
  pathParameter: "A required path parameter is missing or invalid.",
  contentType: "The OneRoster response content type is not JSON.",
  json: "The OneRoster response was not valid JSON.",
  payload: "The OneRoster response failed payload validation.",
  pagination: "The OneRoster pagination metadata is malformed.",
  collectionLimit: "The OneRoster collection bound was reached."
});
function createOneRosterV1p2RestTransport(input) {
  const configuration = createOneRosterV1p2ClientConfiguration(input);
  if (configuration._tag === "err") return configuration;
  const value = configuration.value;
  return ok(
    createOneRosterRestMechanics({
      fetch: value.fetch,
      retryClock: value.retryClock,
      ...value.retryPolicy === void 0 ? {} : { retryPolicy: value.retryPolicy },
      resolveUrl: (operation, pathParameters3, query) => buildRequestUrl(value, operation, pathParameters3, query),
      authorize: async ({ operation, signal }) => {
        let tokenResult;
        try {
          tokenResult = await value.accessTokenProvider(operation.requiredScopes, signal);
        } catch (cause) {
          if (signal.aborted || isOneRosterRestAbortCause(cause)) {
            return err(transportErrors.cancellation(operation.operationId));
          }
          return err(authenticationError(operation.operationId, "token_failed"));
        }
        if (tokenResult._tag === "err") {
          if (tokenResult.error.code === "cancelled" || signal.aborted) {
            return err(transportErrors.cancellation(operation.operationId));
          }
          return err(authenticationError(operation.operationId, tokenResult.error));
        }
        return ok({ Authorization: `Bearer ${readOneRosterV1p2BearerValue(tokenResult.value)}` });
      },
      parseHttpError: httpError,
      parsePageMetadata: (headers, query, operationId) => parseOneRosterV1p2PageMetadata(headers, query, operationId),
      withQueryOffset,
      queryFromLink: (link, current, fallbackOffset, operationId) => parseOneRosterRestQueryFromLink({
        link,
        current,
        fallbackOffset,
        operationId,
        withLinkLimit: (query, limit) => limit === void 0 ? query : { ...query, limit },
        withQueryOffset,
        paginationError: transportErrors.pagination
      }),
      skipResponseBody: () => false,
      errors: {
        cancellation: transportErrors.cancellation,
        network: transportErrors.network,
        authorization: (operationId) => authenticationError(operationId, "token_failed"),
        contentType: transportErrors.contentType,
        json: transportErrors.json,
        payload: transportErrors.payload,
        pagination: transportErrors.pagination,
        collectionLimit: transportErrors.collectionLimit
      }
    })
  );
}
function buildRequestUrl(configuration, operation, pathParameters3, query) {
  const base2 = configuration.serviceBaseUrls[operation.service];
  if (base2 === void 0) {
    return err(
      configurationError2(
        operation.operationId,
        "missing_service_url",
        "The operation's service base URL is not configured."
      )
    );
  }
  const path = substituteOneRosterRestPathParameters(
    operation,
    pathParameters3,
    transportErrors.pathParameter
  );
  if (path._tag === "err") return path;
  const url = new URL(base2);
  url.pathname = `${url.pathname.replace(/\/$/, "")}${path.value}`;
  if (query !== void 0) {
    const serialized = serializeOneRosterV1p2Query(query, operation.allowedQuery);
    if (serialized._tag === "err") {
      return err(transportErrors.query(operation.operationId, serialized.error));
    }
    url.search = serialized.value;
  }
  return ok(url.toString());
}
function withQueryOffset(query, offset, operationId) {
  const nextQuery = withOneRosterV1p2QueryOffset(query, offset);
  if (nextQuery._tag === "err") return err(transportErrors.query(operationId, nextQuery.error));
  return nextQuery;
}
async function httpError(operationId, response, headers) {
  let statusInfo;
  let malformed = false;
  if (isOneRosterRestJsonContentType(response.headers.get("content-type") ?? void 0)) {
    try {
      const body = JSON.parse(await response.text());
      const parsed = parseOneRosterV1p2StatusInfo(body);
      if (parsed._tag === "ok") statusInfo = parsed.value;
      else malformed = true;
    } catch (cause) {
      void cause;
      malformed = true;
    }
  } else {
    malformed = true;
  }
  return {
    _tag: "OneRosterV1p2HttpError",
    code: "http_failure",
    operationId,
    status: response.status,
    headers: {
      ...headers["content-type"] === void 0 ? {} : { contentType: headers["content-type"] },
      ...headers["retry-after"] === void 0 ? {} : { retryAfter: headers["retry-after"] },
      ...headers["x-request-id"] === void 0 ? {} : { requestId: headers["x-request-id"] }
    },
    ...statusInfo === void 0 ? {} : { statusInfo },
    statusPayloadMalformed: malformed,
    message: "The OneRoster service returned a non-success HTTP status."
  };
}
function configurationError2(operationId, code, message) {
  return { _tag: "OneRosterV1p2ConfigurationError", code, operationId, message };
}
function authenticationError(operationId, authentication) {
  const value = typeof authentication === "string" ? {
    _tag: "OneRosterV1p2AuthenticationError",
    code: authentication,
    message: "The OneRoster access token could not be acquired."
  } : authentication;
  return {
    _tag: "OneRosterV1p2AuthenticationRestError",
    code: "authentication_failure",
    operationId,
    authentication: value,
    message: "The OneRoster access token could not be acquired."
  };
}

// src/rest/client-registry-validation.ts
function operationMatchesOneRosterRestDefinition(operation, definition) {
  switch (definition.kind) {
    case "collection":
      return operation.method === "GET" && operation.responseKind === "collection";
    case "singleton":
      return operation.method === "GET" && operation.responseKind === "singleton";
    case "delete":
      return operation.method === "DELETE" && operation.responseKind === "noContent";
    case "put":
      return operation.method === "PUT" && (operation.responseKind === "noContent" || operation.responseKind === "write");
    case "post":
      return operation.method === "POST" && operation.responseKind === "write";
  }
  return false;
}
function validateOneRosterRestOptionalOptionsArity(operation, args, errors) {
  const pathCount = operation.pathParameters.length;
  if (args.length === pathCount || args.length === pathCount + 1) return void 0;
  return invalidArity(operation, args.length, "zero or one options argument", errors);
}
function validateOneRosterRestMethodArity(operation, args, trailingArgumentCount, errors) {
  const expected = operation.pathParameters.length + trailingArgumentCount;
  if (args.length === expected || args.length === expected - 1) return void 0;
  const trailing = trailingArgumentCount === 1 ? "one options argument" : "one value and one options argument";
  return invalidArity(operation, args.length, trailing, errors);
}
function invalidArity(operation, actual, expected, errors) {
  return errors.incompleteRegistryError(
    operation.operationId,
    `Operation ${operation.operationId} received ${actual} arguments; expected ${operation.pathParameters.length} path arguments plus ${expected}.`
  );
}

// src/rest/client-factory.ts
var mutationKindPolicy = {
  delete: { trailingArgumentCount: 1, optionsArgumentOffset: 0 },
  put: { trailingArgumentCount: 2, optionsArgumentOffset: 1 },
  post: { trailingArgumentCount: 2, optionsArgumentOffset: 1 }
};
function createOneRosterRestUnwrappedCollectionDefinition(parser10, iterateMethodName, collectMethodName) {
  return {
    kind: "collection",
    parser: parser10,
    iterateMethodName,
    ...collectMethodName === void 0 ? {} : { collectMethodName }
  };
}
function createOneRosterRestEnvelopeCollectionDefinition(property, parser10, iterateMethodName, collectMethodName) {
  return createOneRosterRestUnwrappedCollectionDefinition(
    (input, path) => {
      const parsed = parser10(input, path);
      if (parsed._tag === "err") return parsed;
      return ok(parsed.value[property]);
    },
    iterateMethodName,
    collectMethodName
  );
}
function createOneRosterRestUnwrappedSingletonDefinition(parser10) {
  return { kind: "singleton", parser: parser10 };
}
function createOneRosterRestEnvelopeSingletonDefinition(property, parser10) {
  return createOneRosterRestUnwrappedSingletonDefinition((input, path) => {
    const parsed = parser10(input, path);
    if (parsed._tag === "err") return parsed;
    return ok(parsed.value[property]);
  });
}
function createOneRosterRestDeleteDefinition() {
  return { kind: "delete" };
}
function createOneRosterRestPutDefinition(entityProperty, createPayload) {
  return { kind: "put", entityProperty, createPayload };
}
function createOneRosterRestPostDefinition(createPayload, responseParser) {
  return {
    kind: "post",
    createPayload,
    ...responseParser === void 0 ? {} : { responseParser }
  };
}
function createOneRosterRestClientFromRegistry(input, definitions5, options) {
  const transport = options.createTransport(input);
  if (transport._tag === "err") return transport;
  const client = {};
  const expectedKeys = [];
  for (const [operationId, definition] of Object.entries(definitions5)) {
    const operation = options.findOperation(operationId);
    if (operation === void 0) return err(options.incompleteRegistryError(operationId));
    if (!operationMatchesOneRosterRestDefinition(operation, definition)) {
      return err(
        options.incompleteRegistryError(
          operationId,
          `Operation ${operationId} metadata does not match its ${definition.kind} client definition.`
        )
      );
    }
    expectedKeys.push(operationId);
    client[operationId] = createMethod(transport.value, operation, definition, options);
    if (definition.kind === "collection") {
      const iterateOperationId = definition.iterateMethodName;
      expectedKeys.push(iterateOperationId);
      client[iterateOperationId] = createIteratePagesMethod(
        transport.value,
        operation,
        definition,
        options
      );
    }
    if (definition.kind === "collection" && definition.collectMethodName !== void 0) {
      const collectOperationId = definition.collectMethodName;
      expectedKeys.push(collectOperationId);
      client[collectOperationId] = createCollectAllMethod(
        transport.value,
        operation,
        definition,
        options
      );
    }
  }
  if (!isCompleteRegistryClient(client, expectedKeys)) {
    return err(options.incompleteRegistryError("registry"));
  }
  Object.freeze(client);
  return ok(client);
}
function createIteratePagesMethod(transport, operation, definition, options) {
  return async function* (...args) {
    const arityError = validateOneRosterRestMethodArity(operation, args, 1, options);
    if (arityError !== void 0) {
      yield err(arityError);
      return;
    }
    const parsedOptions = options.readIterationRuntimeOptions(
      args[operation.pathParameters.length],
      operation.operationId
    );
    if (parsedOptions._tag === "err") {
      yield err(parsedOptions.error);
      return;
    }
    const runtimeOptions = parsedOptions.value;
    yield* transport.iteratePages({
      operation,
      parsePayload: definition.parser,
      maxPages: runtimeOptions.maxPages,
      ...runtimeOptions.maxItems === void 0 ? {} : { maxItems: runtimeOptions.maxItems },
      ...pathAndOptions(operation, args, runtimeOptions)
    });
  };
}
function createMethod(transport, operation, definition, options) {
  if (definition.kind === "collection") {
    return async (...args) => {
      const arityError = validateOneRosterRestOptionalOptionsArity(operation, args, options);
      if (arityError !== void 0) return err(arityError);
      const methodOptions = readMethodOptions(operation, args, options.readRuntimeOptions);
      if (methodOptions._tag === "err") return err(methodOptions.error);
      return transport.requestPage({
        operation,
        parsePayload: definition.parser,
        ...methodOptions.value
      });
    };
  }
  if (definition.kind === "singleton") {
    return async (...args) => {
      const arityError = validateOneRosterRestOptionalOptionsArity(operation, args, options);
      if (arityError !== void 0) return err(arityError);
      const methodOptions = readMethodOptions(operation, args, options.readRuntimeOptions);
      if (methodOptions._tag === "err") return err(methodOptions.error);
      const response = await transport.request({
        operation,
        responseParser: definition.parser,
        ...methodOptions.value
      });
      if (response._tag === "err") return response;
      if (response.value.data === void 0) {
        return err(
          options.singletonPayloadError(operation.operationId, options.singletonPayloadMessage)
        );
      }
      return ok(response.value.data);
    };
  }
  return createMutationMethod(transport, operation, definition, options);
}
function createMutationMethod(transport, operation, definition, options) {
  const policy = mutationKindPolicy[definition.kind];
  return async (...args) => {
    const arityError = validateOneRosterRestMethodArity(operation, args, policy.trailingArgumentCount, options);
    if (arityError !== void 0) return err(arityError);
    const pathLength = operation.pathParameters.length;
    const parsedOptions = options.readWriteRuntimeOptions(
      args[pathLength + policy.optionsArgumentOffset],
      operation.operationId
    );
    if (parsedOptions._tag === "err") return err(parsedOptions.error);
    let body;
    let responseParser;
    if (definition.kind !== "delete") {
      const payload = definition.createPayload(args[pathLength]);
      if (payload._tag === "err") {
        return err(
          options.writePayloadError(
            operation.operationId,
            payload.error,
            options.writePayloadMessage
          )
        );
      }
      body = payload.value;
      if (definition.kind === "put") {
        const sourcedId = args[0];
        if (typeof sourcedId !== "string" || !bodyHasSourcedId(body, sourcedId, definition.entityProperty)) {
          return err(
            options.writePayloadError(
              operation.operationId,
              [
                options.createSourcedIdDiagnostic(
                  "The path sourcedId must match the write entity sourcedId."
                )
              ],
              options.sourcedIdMessage
            )
          );
        }
      } else {
        responseParser = definition.responseParser;
      }
    }
    return mutation(transport, operation, args, body, responseParser, parsedOptions.value.signal);
  };
}
function readMethodOptions(operation, args, readRuntimeOptions) {
  const parsedOptions = readRuntimeOptions(
    args[operation.pathParameters.length],
    operation.operationId
  );
  if (parsedOptions._tag === "err") return err(parsedOptions.error);
  return ok(pathAndOptions(operation, args, parsedOptions.value));
}
function createCollectAllMethod(transport, operation, definition, options) {
  return async (...args) => {
    const arityError = validateOneRosterRestMethodArity(operation, args, 1, options);
    if (arityError !== void 0) return err(arityError);
    const parsedOptions = options.readCollectAllRuntimeOptions(
      args[operation.pathParameters.length],
      operation.operationId
    );
    if (parsedOptions._tag === "err") return err(parsedOptions.error);
    const runtimeOptions = parsedOptions.value;
    return transport.collectAll({
      operation,
      parsePayload: definition.parser,
      maxPages: runtimeOptions.maxPages,
      maxItems: runtimeOptions.maxItems,
      ...pathAndOptions(operation, args, runtimeOptions)
    });
  };
}
async function mutation(transport, operation, values, body, responseParser, signal) {
  const response = await transport.request({
    operation,
    ...body === void 0 ? {} : { body },
    ...responseParser === void 0 ? {} : { responseParser },
    pathParameters: pathParameters2(operation, values),
    ...signal === void 0 ? {} : { signal }
  });
  if (response._tag === "err") return response;
  return ok({ operationId: operation.operationId, status: response.value.status });
}
function pathAndOptions(operation, args, options) {
  return {
    ...operation.pathParameters.length === 0 ? {} : { pathParameters: pathParameters2(operation, args) },
    ...options.query === void 0 ? {} : { query: options.query },
    ...options.signal === void 0 ? {} : { signal: options.signal }
  };
}
function pathParameters2(operation, values) {
  const result = {};
  for (const [index, name] of operation.pathParameters.entries()) {
    const value = values[index];
    if (typeof value === "string") result[name] = value;
  }
  return result;
}
function bodyHasSourcedId(body, sourcedId, envelopeProperty) {
  if (!isRecord3(body)) return false;
  const entity = body[envelopeProperty];
  if (!isRecord3(entity)) return false;
  return "sourcedId" in entity && entity["sourcedId"] === sourcedId;
}
function isRecord3(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}
function isCompleteRegistryClient(input, expectedKeys) {
  const actualKeys = Object.keys(input);
  return actualKeys.length === expectedKeys.length && expectedKeys.every((key) => actualKeys.includes(key)) && Object.values(input).every((value) => typeof value === "function");
}

// src/rest/client-errors.ts
function createOneRosterRestRegistryErrorMappers(descriptors) {
  const mappers = {
    runtimeQueryError: (operationId, diagnostics) => ({
      _tag: descriptors.query.tag,
      code: "invalid_query",
      operationId,
      diagnostics,
      message: "The REST method options contain an invalid query or runtime option."
    }),
    createSourcedIdDiagnostic: (message) => descriptors.payload.createDiagnostic("payload.invalid_value", "$.sourcedId", message),
    singletonPayloadError: (operationId, message) => ({
      _tag: descriptors.payload.errorTag,
      code: "payload_validation_failure",
      operationId,
      diagnostics: [{ code: "payload.invalid_value", path: "$" }],
      message
    }),
    writePayloadError: (operationId, diagnostics, message) => ({
      _tag: descriptors.payload.errorTag,
      code: "payload_validation_failure",
      operationId,
      diagnostics: diagnostics.map(({ code, path }) => ({ code, path })),
      message
    }),
    incompleteRegistryError: (operationId, message = descriptors.configuration.incompleteMessage) => ({
      _tag: descriptors.configuration.tag,
      code: descriptors.configuration.code,
      operationId,
      message
    })
  };
  return mappers;
}

// src/rest/runtime-options.ts
function createOneRosterRestRuntimeOptionReaders(parseQuery, createDiagnostic, createError) {
  const parse = (input, operationId) => {
    if (input === void 0) return ok({});
    if (!isRecord4(input)) {
      return err(
        createError(operationId, [createDiagnostic("$", "REST method options must be an object.")])
      );
    }
    const query = input["query"];
    let parsedQuery;
    if (query !== void 0) {
      const result = parseQuery(query);
      if (result._tag === "err") return err(createError(operationId, result.error));
      parsedQuery = result.value;
    }
    const signal = input["signal"];
    if (signal !== void 0 && !isAbortSignal(signal)) {
      return err(
        createError(operationId, [createDiagnostic("$.signal", "signal must be an AbortSignal.")])
      );
    }
    const maxPages = positiveBound(input["maxPages"], "$.maxPages");
    if (maxPages._tag === "err") {
      return err(createError(operationId, [createDiagnostic(maxPages.path, maxPages.message)]));
    }
    const maxItems = positiveBound(input["maxItems"], "$.maxItems");
    if (maxItems._tag === "err") {
      return err(createError(operationId, [createDiagnostic(maxItems.path, maxItems.message)]));
    }
    return ok({
      ...parsedQuery === void 0 ? {} : { query: parsedQuery },
      ...signal === void 0 ? {} : { signal },
      ...maxPages.value === void 0 ? {} : { maxPages: maxPages.value },
      ...maxItems.value === void 0 ? {} : { maxItems: maxItems.value }
    });
  };
  const read = (input, operationId) => {
    const parsed = parse(input, operationId);
    if (parsed._tag === "err") return parsed;
    return ok({
      ...parsed.value.query === void 0 ? {} : { query: parsed.value.query },
      ...parsed.value.signal === void 0 ? {} : { signal: parsed.value.signal }
    });
  };
  const iterate = (input, operationId) => {
    const parsed = parse(input, operationId);
    if (parsed._tag === "err") return parsed;
    if (parsed.value.maxPages === void 0) {
      return err(
        createError(operationId, [
          createDiagnostic("$.maxPages", "maxPages is required for collection traversal.")
        ])
      );
    }
    return ok({
      maxPages: parsed.value.maxPages,
      ...parsed.value.maxItems === void 0 ? {} : { maxItems: parsed.value.maxItems },
      ...parsed.value.query === void 0 ? {} : { query: parsed.value.query },
      ...parsed.value.signal === void 0 ? {} : { signal: parsed.value.signal }
    });
  };
  const collectAll = (input, operationId) => {
    const parsed = parse(input, operationId);
    if (parsed._tag === "err") return parsed;
    if (parsed.value.maxPages === void 0) {
      return err(
        createError(operationId, [
          createDiagnostic("$.maxPages", "maxPages is required for collection traversal.")
        ])
      );
    }
    if (parsed.value.maxItems === void 0) {
      return err(
        createError(operationId, [
          createDiagnostic("$.maxItems", "maxItems is required when collecting all pages.")
        ])
      );
    }
    return ok({
      maxPages: parsed.value.maxPages,
      maxItems: parsed.value.maxItems,
      ...parsed.value.query === void 0 ? {} : { query: parsed.value.query },
      ...parsed.value.signal === void 0 ? {} : { signal: parsed.value.signal }
    });
  };
  return { read, iterate, collectAll };
}
function createOneRosterRestWriteOptionReader(createDiagnostic, createError) {
  return (input, operationId) => {
    if (input === void 0) return ok({});
    if (!isRecord4(input)) {
      return err(
        createError(operationId, [
          createDiagnostic("$", "REST mutation options must be an object.")
        ])
      );
    }
    const signal = input["signal"];
    if (signal !== void 0 && !isAbortSignal(signal)) {
      return err(
        createError(operationId, [createDiagnostic("$.signal", "signal must be an AbortSignal.")])
      );
    }
    return ok(signal === void 0 ? {} : { signal });
  };
}
function positiveBound(input, path) {
  if (input === void 0) return { _tag: "ok", value: void 0 };
  if (typeof input !== "number" || !Number.isSafeInteger(input) || input <= 0) {
    return { _tag: "err", path, message: "Collection bounds must be positive safe integers." };
  }
  return { _tag: "ok", value: input };
}
function isAbortSignal(input) {
  if (!isRecord4(input)) return false;
  return typeof input["aborted"] === "boolean" && typeof input["addEventListener"] === "function" && typeof input["removeEventListener"] === "function";
}
function isRecord4(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}

// src/rest/registry-adapter.ts
function createRestRegistryAdapter(options) {
  const errors = createOneRosterRestRegistryErrorMappers(options.errorDescriptors);
  const createQueryDiagnostic = options.errorDescriptors.query.createDiagnostic;
  const runtimeOptionReaders = createOneRosterRestRuntimeOptionReaders(
    options.parseQuery,
    createQueryDiagnostic,
    errors.runtimeQueryError
  );
  const readWriteRuntimeOptions = createOneRosterRestWriteOptionReader(
    createQueryDiagnostic,
    errors.runtimeQueryError
  );
  return {
    createTransport: options.createTransport,
    findOperation: options.findOperation,
    incompleteRegistryError: errors.incompleteRegistryError,
    singletonPayloadError: errors.singletonPayloadError,
    writePayloadError: errors.writePayloadError,
    createSourcedIdDiagnostic: errors.createSourcedIdDiagnostic,
    readRuntimeOptions: runtimeOptionReaders.read,
    readIterationRuntimeOptions: runtimeOptionReaders.iterate,
    readCollectAllRuntimeOptions: runtimeOptionReaders.collectAll,
    readWriteRuntimeOptions
  };
}
function createOneRosterRestVersionClientFactory(adapter) {
  return function createVersionClient(input, definitions5, messages) {
    return createOneRosterRestClientFromRegistry(input, definitions5, { ...messages, ...adapter });
  };
}

// src/v1p2/rest/client-factory.ts
var registryAdapter = createRestRegistryAdapter({
  createTransport: createOneRosterV1p2RestTransport,
  findOperation: findOneRosterV1p2Operation,
  parseQuery: parseOneRosterV1p2QueryInput,
  errorDescriptors: {
    query: {
      tag: "OneRosterV1p2QueryError",
      createDiagnostic: queryDiagnostic
    },
    payload: {
      errorTag: "OneRosterV1p2PayloadError",
      createDiagnostic: payloadDiagnostic
    },
    configuration: {
      tag: "OneRosterV1p2ConfigurationError",
      code: "invalid_operation_registry",
      incompleteMessage: "The OneRoster operation registry is incomplete."
    }
  }
});
function createOneRosterV1p2CollectionDefinition(property, parser10, iterateMethodName, collectMethodName) {
  return createOneRosterRestEnvelopeCollectionDefinition(
    property,
    parser10,
    iterateMethodName,
    collectMethodName
  );
}
function createOneRosterV1p2SingletonDefinition(property, parser10) {
  return createOneRosterRestEnvelopeSingletonDefinition(property, parser10);
}
function createOneRosterV1p2DeleteDefinition() {
  return createOneRosterRestDeleteDefinition();
}
function createOneRosterV1p2PutDefinition(entityProperty, createPayload) {
  return createOneRosterRestPutDefinition(entityProperty, createPayload);
}
function createOneRosterV1p2PostDefinition(createPayload, responseParser) {
  const parser10 = responseParser;
  return createOneRosterRestPostDefinition(createPayload, parser10);
}
var createOneRosterV1p2RestClientFromRegistry = createOneRosterRestVersionClientFactory(registryAdapter);
function queryDiagnostic(path, message) {
  return {
    _tag: "OneRosterV1p2PayloadDiagnostic",
    code: "query.invalid_value",
    path,
    message
  };
}
function payloadDiagnostic(code, path, message) {
  return {
    _tag: "OneRosterV1p2PayloadDiagnostic",
    code,
    path,
    message
  };
}

// src/v1p2/rostering/client.ts
var definitions = {
  getAllAcademicSessions: createOneRosterV1p2CollectionDefinition(
    "academicSessions",
    parseOneRosterV1p2AcademicSessionCollection,
    "iterateAllAcademicSessions",
    "collectAllAcademicSessions"
  ),
  getAcademicSession: createOneRosterV1p2SingletonDefinition(
    "academicSession",
    parseOneRosterV1p2AcademicSessionSingleton
  ),
  getAllClasses: createOneRosterV1p2CollectionDefinition(
    "classes",
    parseOneRosterV1p2ClassCollection,
    "iterateAllClasses",
    "collectAllClasses"
  ),
  getStudentsForClass: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateStudentsForClass",
    "collectStudentsForClass"
  ),
  getTeachersForClass: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateTeachersForClass",
    "collectTeachersForClass"
  ),
  getClass: createOneRosterV1p2SingletonDefinition("class", parseOneRosterV1p2ClassSingleton),
  getAllCourses: createOneRosterV1p2CollectionDefinition(
    "courses",
    parseOneRosterV1p2CourseCollection,
    "iterateAllCourses",
    "collectAllCourses"
  ),
  getClassesForCourse: createOneRosterV1p2CollectionDefinition(
    "classes",
    parseOneRosterV1p2ClassCollection,
    "iterateClassesForCourse",
    "collectClassesForCourse"
  ),
  getCourse: createOneRosterV1p2SingletonDefinition("course", parseOneRosterV1p2CourseSingleton),
  getAllDemographics: createOneRosterV1p2CollectionDefinition(
    "demographics",
    parseOneRosterV1p2DemographicsCollection,
    "iterateAllDemographics",
    "collectAllDemographics"
  ),
  getDemographics: createOneRosterV1p2SingletonDefinition("demographics", parseOneRosterV1p2DemographicsSingleton),
  getAllEnrollments: createOneRosterV1p2CollectionDefinition(
    "enrollments",
    parseOneRosterV1p2EnrollmentCollection,
    "iterateAllEnrollments",
    "collectAllEnrollments"
  ),
  getEnrollment: createOneRosterV1p2SingletonDefinition("enrollment", parseOneRosterV1p2EnrollmentSingleton),
  getAllGradingPeriods: createOneRosterV1p2CollectionDefinition(
    "academicSessions",
    parseOneRosterV1p2AcademicSessionCollection,
    "iterateAllGradingPeriods",
    "collectAllGradingPeriods"
  ),
  getGradingPeriod: createOneRosterV1p2SingletonDefinition(
    "academicSession",
    parseOneRosterV1p2AcademicSessionSingleton
  ),
  getAllOrgs: createOneRosterV1p2CollectionDefinition(
    "orgs",
    parseOneRosterV1p2OrgCollection,
    "iterateAllOrgs",
    "collectAllOrgs"
  ),
  getOrg: createOneRosterV1p2SingletonDefinition("org", parseOneRosterV1p2OrgSingleton),
  getAllSchools: createOneRosterV1p2CollectionDefinition(
    "orgs",
    parseOneRosterV1p2OrgCollection,
    "iterateAllSchools",
    "collectAllSchools"
  ),
  getClassesForSchool: createOneRosterV1p2CollectionDefinition(
    "classes",
    parseOneRosterV1p2ClassCollection,
    "iterateClassesForSchool",
    "collectClassesForSchool"
  ),
  getEnrollmentsForClassInSchool: createOneRosterV1p2CollectionDefinition(
    "enrollments",
    parseOneRosterV1p2EnrollmentCollection,
    "iterateEnrollmentsForClassInSchool",
    "collectEnrollmentsForClassInSchool"
  ),
  getStudentsForClassInSchool: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateStudentsForClassInSchool",
    "collectStudentsForClassInSchool"
  ),
  getTeachersForClassInSchool: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateTeachersForClassInSchool",
    "collectTeachersForClassInSchool"
  ),
  getCoursesForSchool: createOneRosterV1p2CollectionDefinition(
    "courses",
    parseOneRosterV1p2CourseCollection,
    "iterateCoursesForSchool",
    "collectCoursesForSchool"
  ),
  getEnrollmentsForSchool: createOneRosterV1p2CollectionDefinition(
    "enrollments",
    parseOneRosterV1p2EnrollmentCollection,
    "iterateEnrollmentsForSchool",
    "collectEnrollmentsForSchool"
  ),
  getStudentsForSchool: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateStudentsForSchool",
    "collectStudentsForSchool"
  ),
  getTeachersForSchool: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateTeachersForSchool",
    "collectTeachersForSchool"
  ),
  getTermsForSchool: createOneRosterV1p2CollectionDefinition(
    "academicSessions",
    parseOneRosterV1p2AcademicSessionCollection,
    "iterateTermsForSchool",
    "collectTermsForSchool"
  ),
  getSchool: createOneRosterV1p2SingletonDefinition("org", parseOneRosterV1p2OrgSingleton),
  getAllStudents: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateAllStudents",
    "collectAllStudents"
  ),
  getStudent: createOneRosterV1p2SingletonDefinition("user", parseOneRosterV1p2UserSingleton),
  getClassesForStudent: createOneRosterV1p2CollectionDefinition(
    "classes",
    parseOneRosterV1p2ClassCollection,
    "iterateClassesForStudent",
    "collectClassesForStudent"
  ),
  getAllTeachers: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateAllTeachers",
    "collectAllTeachers"
  ),
  getTeacher: createOneRosterV1p2SingletonDefinition("user", parseOneRosterV1p2UserSingleton),
  getClassesForTeacher: createOneRosterV1p2CollectionDefinition(
    "classes",
    parseOneRosterV1p2ClassCollection,
    "iterateClassesForTeacher",
    "collectClassesForTeacher"
  ),
  getAllTerms: createOneRosterV1p2CollectionDefinition(
    "academicSessions",
    parseOneRosterV1p2AcademicSessionCollection,
    "iterateAllTerms",
    "collectAllTerms"
  ),
  getTerm: createOneRosterV1p2SingletonDefinition("academicSession", parseOneRosterV1p2AcademicSessionSingleton),
  getClassesForTerm: createOneRosterV1p2CollectionDefinition(
    "classes",
    parseOneRosterV1p2ClassCollection,
    "iterateClassesForTerm",
    "collectClassesForTerm"
  ),
  getGradingPeriodsForTerm: createOneRosterV1p2CollectionDefinition(
    "academicSessions",
    parseOneRosterV1p2AcademicSessionCollection,
    "iterateGradingPeriodsForTerm",
    "collectGradingPeriodsForTerm"
  ),
  getAllUsers: createOneRosterV1p2CollectionDefinition(
    "users",
    parseOneRosterV1p2UserCollection,
    "iterateAllUsers",
    "collectAllUsers"
  ),
  getUser: createOneRosterV1p2SingletonDefinition("user", parseOneRosterV1p2UserSingleton),
  getClassesForUser: createOneRosterV1p2CollectionDefinition(
    "classes",
    parseOneRosterV1p2ClassCollection,
    "iterateClassesForUser",
    "collectClassesForUser"
  )
};
var oneRosterV1p2RosteringOperationIds = Object.freeze(
  Object.keys(definitions)
);

// src/v1p2/gradebook/write-payload.ts
function createOneRosterV1p2CategoryWritePayload(input) {
  return singletonPayload("category", input, parseOneRosterV1p2Category);
}
function createOneRosterV1p2LineItemWritePayload(input) {
  return singletonPayload("lineItem", input, parseOneRosterV1p2LineItem);
}
function createOneRosterV1p2ResultWritePayload(input) {
  return singletonPayload("result", input, parseOneRosterV1p2Result);
}
function createOneRosterV1p2ScoreScaleWritePayload(input) {
  return singletonPayload("scoreScale", input, parseOneRosterV1p2ScoreScale);
}
function createOneRosterV1p2LineItemCollectionWritePayload(input) {
  return collectionPayload("lineItems", input, parseOneRosterV1p2LineItem);
}
function createOneRosterV1p2ResultCollectionWritePayload(input) {
  return collectionPayload("results", input, parseOneRosterV1p2Result);
}
function singletonPayload(property, input, parser10) {
  const parsed = parser10(input);
  if (parsed._tag === "err") return parsed;
  return ok({ [property]: parsed.value });
}
function collectionPayload(property, input, parser10) {
  if (!Array.isArray(input))
    return err([invalidType("$", "Expected a non-empty collection array.")]);
  if (input.length === 0)
    return err([invalidValue("$", "A Gradebook write collection cannot be empty.")]);
  const values = [];
  for (const [index, value] of input.entries()) {
    const parsed = parser10(value, `$[${index}]`);
    if (parsed._tag === "err") return parsed;
    values.push(parsed.value);
  }
  return ok({ [property]: values });
}
function invalidType(path, message) {
  return {
    _tag: "OneRosterV1p2PayloadDiagnostic",
    code: "payload.invalid_type",
    path,
    message
  };
}
function invalidValue(path, message) {
  return {
    _tag: "OneRosterV1p2PayloadDiagnostic",
    code: "payload.invalid_value",
    path,
    message
  };
}

// src/v1p2/gradebook/guid-pair-set.ts
var parseOneRosterV1p2GuidPairSet = (input, path) => {
  if (!isRecord5(input)) {
    return err([diagnostic("payload.invalid_type", path, "Expected a GUID pair set object.")]);
  }
  for (const key of Object.keys(input)) {
    if (key !== "sourcedIdPairs") {
      return err([
        diagnostic(
          "payload.unknown_property",
          `${path}.${key}`,
          "The property is not part of a GUID pair set."
        )
      ]);
    }
  }
  const pairs = input["sourcedIdPairs"];
  if (pairs === void 0) return { _tag: "ok", value: void 0 };
  if (!Array.isArray(pairs)) {
    return err([
      diagnostic("payload.invalid_type", `${path}.sourcedIdPairs`, "Expected a GUID pair array.")
    ]);
  }
  for (const [index, pair] of pairs.entries()) {
    if (!isRecord5(pair) || typeof pair["suppliedSourcedId"] !== "string" || typeof pair["allocatedSourcedId"] !== "string") {
      return err([
        diagnostic(
          "payload.missing_property",
          `${path}.sourcedIdPairs[${index}]`,
          "A GUID pair must contain supplied and allocated sourced IDs."
        )
      ]);
    }
  }
  return { _tag: "ok", value: void 0 };
};
function diagnostic(code, path, message) {
  return { _tag: "OneRosterV1p2PayloadDiagnostic", code, path, message };
}
function isRecord5(input) {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}

// src/v1p2/gradebook/client.ts
var definitions2 = {
  getAllCategories: createOneRosterV1p2CollectionDefinition(
    "categories",
    parseOneRosterV1p2CategoryCollection,
    "iterateAllCategories"
  ),
  getCategory: createOneRosterV1p2SingletonDefinition(
    "category",
    parseOneRosterV1p2CategorySingleton
  ),
  getCategoriesForClass: createOneRosterV1p2CollectionDefinition(
    "categories",
    parseOneRosterV1p2CategoryCollection,
    "iterateCategoriesForClass"
  ),
  getLineItemsForClass: createOneRosterV1p2CollectionDefinition(
    "lineItems",
    parseOneRosterV1p2LineItemCollection,
    "iterateLineItemsForClass"
  ),
  getResultsForLineItemForClass: createOneRosterV1p2CollectionDefinition(
    "results",
    parseOneRosterV1p2ResultCollection,
    "iterateResultsForLineItemForClass"
  ),
  getResultsForClass: createOneRosterV1p2CollectionDefinition(
    "results",
    parseOneRosterV1p2ResultCollection,
    "iterateResultsForClass"
  ),
  getScoreScalesForClass: createOneRosterV1p2CollectionDefinition(
    "scoreScales",
    parseOneRosterV1p2ScoreScaleCollection,
    "iterateScoreScalesForClass"
  ),
  getResultsForStudentForClass: createOneRosterV1p2CollectionDefinition(
    "results",
    parseOneRosterV1p2ResultCollection,
    "iterateResultsForStudentForClass"
  ),
  getAllLineItems: createOneRosterV1p2CollectionDefinition(
    "lineItems",
    parseOneRosterV1p2LineItemCollection,
    "iterateAllLineItems"
  ),
  getLineItem: createOneRosterV1p2SingletonDefinition(
    "lineItem",
    parseOneRosterV1p2LineItemSingleton
  ),
  getAllResults: createOneRosterV1p2CollectionDefinition(
    "results",
    parseOneRosterV1p2ResultCollection,
    "iterateAllResults"
  ),
  getResult: createOneRosterV1p2SingletonDefinition("result", parseOneRosterV1p2ResultSingleton),
  getScoreScalesForSchool: createOneRosterV1p2CollectionDefinition(
    "scoreScales",
    parseOneRosterV1p2ScoreScaleCollection,
    "iterateScoreScalesForSchool"
  ),
  getAllScoreScales: createOneRosterV1p2CollectionDefinition(
    "scoreScales",
    parseOneRosterV1p2ScoreScaleCollection,
    "iterateAllScoreScales"
  ),
  getScoreScale: createOneRosterV1p2SingletonDefinition(
    "scoreScale",
    parseOneRosterV1p2ScoreScaleSingleton
  ),
  deleteCategory: createOneRosterV1p2DeleteDefinition(),
  putCategory: createOneRosterV1p2PutDefinition(
    "category",
    createOneRosterV1p2CategoryWritePayload
  ),
  postResultsForAcademicSessionForClass: createOneRosterV1p2PostDefinition(createOneRosterV1p2ResultCollectionWritePayload, parseOneRosterV1p2GuidPairSet),
  postLineItemsForClass: createOneRosterV1p2PostDefinition(
    createOneRosterV1p2LineItemCollectionWritePayload,
    parseOneRosterV1p2GuidPairSet
  ),
  deleteLineItem: createOneRosterV1p2DeleteDefinition(),
  putLineItem: createOneRosterV1p2PutDefinition(
    "lineItem",
    createOneRosterV1p2LineItemWritePayload
  ),
  postResultsForLineItem: createOneRosterV1p2PostDefinition(
    createOneRosterV1p2ResultCollectionWritePayload,
    parseOneRosterV1p2GuidPairSet
  ),
  deleteResult: createOneRosterV1p2DeleteDefinition(),
  putResult: createOneRosterV1p2PutDefinition(
    "result",
    createOneRosterV1p2ResultWritePayload
  ),
  postLineItemsForSchool: createOneRosterV1p2PostDefinition(
    createOneRosterV1p2LineItemCollectionWritePayload,
    parseOneRosterV1p2GuidPairSet
  ),
  deleteScoreScale: createOneRosterV1p2DeleteDefinition(),
  putScoreScale: createOneRosterV1p2PutDefinition(
    "scoreScale",
    createOneRosterV1p2ScoreScaleWritePayload
  )
};
function createOneRosterV1p2GradebookClient(input) {
  return createOneRosterV1p2RestClientFromRegistry(input, definitions2, {
    singletonPayloadMessage: "The Gradebook response did not contain a parsed entity.",
    writePayloadMessage: "The Gradebook write payload is invalid.",
    sourcedIdMessage: "The path sourcedId must match the write entity sourcedId."
  });
}

// src/v1p2/assessment-results/payload.ts
function parseOneRosterV1p2AssessmentLineItemCollection2(input) {
  return parseOneRosterV1p2AssessmentLineItemCollection(input);
}
function parseOneRosterV1p2AssessmentLineItemSingleton2(input) {
  return parseOneRosterV1p2AssessmentLineItemSingleton(input);
}
function parseOneRosterV1p2AssessmentResultCollection2(input) {
  return parseOneRosterV1p2AssessmentResultCollection(input);
}
function parseOneRosterV1p2AssessmentResultSingleton2(input) {
  return parseOneRosterV1p2AssessmentResultSingleton(input);
}
function createOneRosterV1p2AssessmentLineItemWritePayload(input) {
  const parsed = parseOneRosterV1p2AssessmentLineItem(input);
  if (parsed._tag === "err") return parsed;
  return ok({ assessmentLineItem: parsed.value });
}
function createOneRosterV1p2AssessmentResultWritePayload(input) {
  const parsed = parseOneRosterV1p2AssessmentResult(input);
  if (parsed._tag === "err") return parsed;
  return ok({ assessmentResult: parsed.value });
}

// src/v1p2/assessment-results/client.ts
var definitions3 = {
  getAllAssessmentLineItems: createOneRosterV1p2CollectionDefinition(
    "assessmentLineItems",
    parseOneRosterV1p2AssessmentLineItemCollection2,
    "iterateAllAssessmentLineItems"
  ),
  getAssessmentLineItem: createOneRosterV1p2SingletonDefinition(
    "assessmentLineItem",
    parseOneRosterV1p2AssessmentLineItemSingleton2
  ),
  deleteAssessmentLineItem: createOneRosterV1p2DeleteDefinition(),
  putAssessmentLineItem: createOneRosterV1p2PutDefinition(
    "assessmentLineItem",
    createOneRosterV1p2AssessmentLineItemWritePayload
  ),
  getAllAssessmentResults: createOneRosterV1p2CollectionDefinition(
    "assessmentResults",
    parseOneRosterV1p2AssessmentResultCollection2,
    "iterateAllAssessmentResults"
  ),
  getAssessmentResult: createOneRosterV1p2SingletonDefinition(
    "assessmentResult",
    parseOneRosterV1p2AssessmentResultSingleton2
  ),
  deleteAssessmentResult: createOneRosterV1p2DeleteDefinition(),
  putAssessmentResult: createOneRosterV1p2PutDefinition(
    "assessmentResult",
    createOneRosterV1p2AssessmentResultWritePayload
  )
};
function createOneRosterV1p2AssessmentResultsClient(input) {
  return createOneRosterV1p2RestClientFromRegistry(input, definitions3, {
    singletonPayloadMessage: "The Assessment Results Profile response did not contain a parsed entity.",
    writePayloadMessage: "The Assessment Results Profile write payload is invalid.",
    sourcedIdMessage: "The path sourcedId must match the assessment write entity sourcedId."
  });
}

// src/v1p2/resources/client.ts
var definitions4 = {
  getAllResources: createOneRosterV1p2CollectionDefinition(
    "resources",
    parseOneRosterV1p2ResourceCollection,
    "iterateAllResources"
  ),
  getResource: createOneRosterV1p2SingletonDefinition(
    "resource",
    parseOneRosterV1p2ResourceSingleton
  ),
  getResourcesForClass: createOneRosterV1p2CollectionDefinition(
    "resources",
    parseOneRosterV1p2ResourceCollection,
    "iterateResourcesForClass"
  ),
  getResourcesForCourse: createOneRosterV1p2CollectionDefinition(
    "resources",
    parseOneRosterV1p2ResourceCollection,
    "iterateResourcesForCourse"
  ),
  getResourcesForUser: createOneRosterV1p2CollectionDefinition(
    "resources",
    parseOneRosterV1p2ResourceCollection,
    "iterateResourcesForUser"
  )
};

// src/v1p2/provider/service.ts
var oneRosterV1p2ProviderRosteringOperationIds = oneRosterV1p2GeneratedOperationIdsByProviderKind.rostering;
var oneRosterV1p2ProviderBaseGradebookOperationIds = oneRosterV1p2GeneratedOperationIdsByProviderKind.gradebook;
var oneRosterV1p2ProviderAssessmentResultsOperationIds = oneRosterV1p2GeneratedOperationIdsByProviderKind.assessmentResults;
var oneRosterV1p2ProviderGradebookOperationIds = oneRosterV1p2GeneratedOperationIdsByService.gradebook;
var oneRosterV1p2ProviderResourcesOperationIds = oneRosterV1p2GeneratedOperationIdsByProviderKind.resources;

// driver/run-gradebook-client.ts
var [base, bearer, idsJson] = process.argv.slice(2);
var ids = JSON.parse(idsJson);
var token = createOneRosterV1p2AccessToken(bearer);
if (token._tag === "err") throw new Error(token.error.message);
var config = {
  serviceBaseUrls: { gradebook: base },
  accessTokenProvider: async () => token
};
var gradebook = createOneRosterV1p2GradebookClient(config);
var assessment = createOneRosterV1p2AssessmentResultsClient(config);
if (gradebook._tag === "err") throw new Error(gradebook.error.message);
if (assessment._tag === "err") throw new Error(assessment.error.message);
var gb = gradebook.value;
var ar = assessment.value;
var page = { query: { limit: 1 } };
var sorted = { query: { sort: "dateLastModified", orderBy: "desc" } };
var calls = [
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
  ["collectAllResults (pages of 1)", () => gb.collectAllResults?.({ maxPages: 10, maxItems: 100, query: { limit: 1 } }) ?? Promise.resolve({ _tag: "ok", value: { items: [] }, skipped: true })]
];
for (const [name, call] of calls) {
  try {
    const result = await call();
    if (result._tag === "ok") {
      const value = result.value;
      const count = Array.isArray(value?.items) ? value.items.length : Array.isArray(value) ? value.length : void 0;
      console.log(JSON.stringify({ call: name, ok: true, count, skipped: result.skipped === true || void 0 }));
    } else {
      console.log(JSON.stringify({ call: name, ok: false, error: result.error }));
    }
  } catch (exc) {
    console.log(JSON.stringify({ call: name, ok: false, error: String(exc) }));
  }
}
