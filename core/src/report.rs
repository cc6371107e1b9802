//! One error shape for every boundary: rule-file diagnostics, bad host data, bad requests.
//!
//! Bindings and conformance vectors use [`ErrorReport`] as-is. Line and column are 1-based;
//! columns count Unicode scalar values (code points). The Node binding converts columns to
//! UTF-16 units at its boundary.

use serde::{Deserialize, Serialize};

/// How serious a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The input is rejected.
    Error,
    /// The input is accepted but probably not what the author meant.
    Warning,
}

/// A labelled range of a source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// What the label says about the range (may be empty).
    pub message: String,
    /// 1-based line of the range's start.
    pub line: u32,
    /// 1-based column (in code points) of the range's start.
    pub column: u32,
    /// 1-based line of the range's end (exclusive position).
    pub end_line: u32,
    /// 1-based column of the range's end (exclusive position).
    pub end_column: u32,
}

/// One error or warning, in the language-neutral shape shared by Rust, Python and Node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// A stable code from [`codes`], e.g. `leadrail::parse::unexpected_token`.
    pub code: String,
    /// What is wrong, lower case, no final period.
    pub message: String,
    /// How to fix it, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    /// The file the report is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line of the primary label (0 when the report has no position).
    pub line: u32,
    /// 1-based column of the primary label (0 when the report has no position).
    pub column: u32,
    /// Labelled ranges; the first is the primary one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// The record (lead or partner id, or a 1-based row) a data error is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The field a data error is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorReport {
    /// An error with `code` (from [`codes`]) and `message`, without help, position, record or
    /// field (add them with the `with_*` methods).
    ///
    /// ```
    /// use leadrail_core::report::{codes, ErrorReport};
    ///
    /// let r = ErrorReport::error(codes::DATA_MISSING_FIELD, "record `L1`: missing required field `region`")
    ///     .with_help("add `region` to the record")
    ///     .with_record("L1")
    ///     .with_field("region");
    /// assert_eq!(r.record.as_deref(), Some("L1"));
    /// assert_eq!(r.line, 0);
    /// ```
    pub fn error(code: &str, message: impl Into<String>) -> ErrorReport {
        ErrorReport {
            code: code.to_owned(),
            message: message.into(),
            help: None,
            severity: Severity::Error,
            file: None,
            line: 0,
            column: 0,
            labels: Vec::new(),
            record: None,
            field: None,
        }
    }

    /// A `leadrail::request::invalid` error: a call whose arguments are not of the expected
    /// form, with how to fix it.
    pub fn request(message: impl Into<String>, help: impl Into<String>) -> ErrorReport {
        ErrorReport::error(codes::REQUEST_INVALID, message).with_help(help)
    }

    /// The same report with `help`.
    pub fn with_help(mut self, help: impl Into<String>) -> ErrorReport {
        self.help = Some(help.into());
        self
    }

    /// The same report about `record` (an id, or `#` and a 1-based position).
    pub fn with_record(mut self, record: impl Into<String>) -> ErrorReport {
        self.record = Some(record.into());
        self
    }

    /// The same report about `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> ErrorReport {
        self.field = Some(field.into());
        self
    }

    /// An error with `code` and `message` about a place in `file`: its labels (the spans it
    /// points at, the first one the primary span) and the line and column of the first label
    /// (0 and 0 without labels).
    ///
    /// ```
    /// use leadrail_core::report::{codes, ErrorReport, Label};
    ///
    /// let at = Label { message: String::new(), line: 3, column: 7, end_line: 3, end_column: 9 };
    /// let r = ErrorReport::located(codes::PARSE_UNEXPECTED_TOKEN, "unexpected `)`", "r.lr", vec![at]);
    /// assert_eq!((r.file.as_deref(), r.line, r.column), (Some("r.lr"), 3, 7));
    /// ```
    pub fn located(
        code: &str,
        message: impl Into<String>,
        file: impl Into<String>,
        labels: Vec<Label>,
    ) -> ErrorReport {
        let (line, column) = labels.first().map_or((0, 0), |l| (l.line, l.column));
        let mut report = ErrorReport::error(code, message).at(line, column);
        report.file = Some(file.into());
        report.labels = labels;
        report
    }

    /// The same report at 1-based `line` and `column` (0 for none).
    pub fn at(mut self, line: u32, column: u32) -> ErrorReport {
        self.line = line;
        self.column = column;
        self
    }

    /// The same report with `severity`.
    pub fn with_severity(mut self, severity: Severity) -> ErrorReport {
        self.severity = severity;
        self
    }

    /// The same report with `help` when there is one (unchanged for `None`).
    pub fn with_help_opt(self, help: Option<String>) -> ErrorReport {
        match help {
            Some(h) => self.with_help(h),
            None => self,
        }
    }

    /// The same report about `record` when there is one (unchanged for `None`).
    pub fn with_record_opt(self, record: Option<String>) -> ErrorReport {
        match record {
            Some(r) => self.with_record(r),
            None => self,
        }
    }

    /// The same report about `field` when there is one (unchanged for `None`).
    pub fn with_field_opt(self, field: Option<String>) -> ErrorReport {
        match field {
            Some(f) => self.with_field(f),
            None => self,
        }
    }
}

/// The report of a column of `found` values in a batch whose `id` column has `rows`.
///
/// ```
/// let r = leadrail_core::host::column_length(&"size", 9, 10);
/// assert_eq!(r.message, "column `size` has 9 values but `id` has 10");
/// ```
pub fn column_length(field: &dyn std::fmt::Display, found: usize, rows: usize) -> ErrorReport {
    ErrorReport::request(
        format!("column `{field}` has {found} values but `id` has {rows}"),
        "give every column one value per lead",
    )
}

/// The catalogue of stable error codes. Tests iterate over [`codes::ALL`].
pub mod codes {
    /// Every code, for tests and docs.
    pub const ALL: &[&str] = &[
        PARSE_UNEXPECTED_TOKEN,
        TYPE_UNKNOWN_FIELD,
        DATA_INVALID_FIELD,
        DATA_MISSING_FIELD,
        DATA_INVALID_RECORD,
        DATA_DUPLICATE_ID,
        DATA_UNKNOWN_PARTNER,
        DATA_UNKNOWN_LEAD,
        DATA_LEAD_HELD,
        REQUEST_INVALID,
        REQUEST_BUSY,
        CALENDAR_UNKNOWN_TIME_ZONE,
        CALENDAR_INVALID_HOURS,
        CALENDAR_INVALID_CLOSURE,
        CALENDAR_HOLIDAY_FILE,
        CALENDAR_NO_WORKING_TIME,
        CALENDAR_OUT_OF_RANGE,
        TIMELINE_OUT_OF_ORDER,
        TIMELINE_AFTER_CLOSE,
        TIMELINE_NOT_ASSIGNED,
        TIMELINE_ALREADY_ASSIGNED,
        TIMELINE_CREATED_NOT_FIRST,
        SLA_INVALID_POLICY,
        SLA_UNKNOWN_CALENDAR,
        SLA_UNKNOWN_EVENT,
        PARSE_INVALID_LITERAL,
        PARSE_CLAUSE_ORDER,
        PARSE_DUPLICATE_CLAUSE,
        PARSE_CHAINED_COMPARISON,
        PARSE_TOO_DEEP,
        TYPE_MISMATCH,
        TYPE_UNKNOWN_TYPE,
        TYPE_UNKNOWN_SYMBOL,
        TYPE_UNKNOWN_FUNCTION,
        TYPE_UNKNOWN_RECORD,
        TYPE_ARITY,
        TYPE_SCOPE,
        TYPE_INVALID_REGION,
        CHECK_UNREACHABLE_RULE,
        CHECK_DUPLICATE_FIELD,
        CHECK_RESERVED_FIELD,
        CHECK_DUPLICATE_ITEM,
        CHECK_MISSING_ITEM,
        CHECK_UNKNOWN_SCHEMA,
        CHECK_SCHEMA_REQUIREMENT,
        REGISTRATION_INVALID_POLICY,
        REGISTRATION_UNKNOWN_NAME,
    ];
    /// The parser met a token it did not expect.
    pub const PARSE_UNEXPECTED_TOKEN: &str = "leadrail::parse::unexpected_token";
    /// A `lead.` or `partner.` field that the schema does not declare.
    pub const TYPE_UNKNOWN_FIELD: &str = "leadrail::type::unknown_field";
    /// A record's field has a value of the wrong type or form.
    pub const DATA_INVALID_FIELD: &str = "leadrail::data::invalid_field";
    /// A record lacks a required field.
    pub const DATA_MISSING_FIELD: &str = "leadrail::data::missing_field";
    /// A record is not an object/mapping, or lacks an id.
    pub const DATA_INVALID_RECORD: &str = "leadrail::data::invalid_record";
    /// Two partners share an id.
    pub const DATA_DUPLICATE_ID: &str = "leadrail::data::duplicate_id";
    /// A reference to a partner id that the network does not hold.
    pub const DATA_UNKNOWN_PARTNER: &str = "leadrail::data::unknown_partner";
    /// A lead id that the network holds no assignment of (`release` of a lead never assigned
    /// with `assign`, or already released).
    pub const DATA_UNKNOWN_LEAD: &str = "leadrail::data::unknown_lead";
    /// `assign` of a lead that a partner already holds (release it first).
    pub const DATA_LEAD_HELD: &str = "leadrail::data::lead_held";
    /// A call/answer request that is not of the expected form.
    pub const REQUEST_INVALID: &str = "leadrail::request::invalid";
    /// A call on an object that is busy with another call of the same thread (e.g. a network's
    /// method called by host code a batch of that network runs, such as a getter of a lead).
    pub const REQUEST_BUSY: &str = "leadrail::request::busy";
    /// A calendar names a time zone that is not in the IANA database.
    pub const CALENDAR_UNKNOWN_TIME_ZONE: &str = "leadrail::calendar::unknown_time_zone";
    /// A calendar's weekly hours are malformed (empty, reversed, overlapping, past 24:00).
    pub const CALENDAR_INVALID_HOURS: &str = "leadrail::calendar::invalid_hours";
    /// A closure's end date is before its start date.
    pub const CALENDAR_INVALID_CLOSURE: &str = "leadrail::calendar::invalid_closure";
    /// A line of a holiday file is malformed.
    pub const CALENDAR_HOLIDAY_FILE: &str = "leadrail::calendar::holiday_file";
    /// A business duration on a calendar without working hours.
    pub const CALENDAR_NO_WORKING_TIME: &str = "leadrail::calendar::no_working_time";
    /// An instant outside the calendar's supported years, or a negative business duration.
    pub const CALENDAR_OUT_OF_RANGE: &str = "leadrail::calendar::out_of_range";
    /// A timeline event is earlier than the event before it.
    pub const TIMELINE_OUT_OF_ORDER: &str = "leadrail::timeline::out_of_order";
    /// A timeline event after the lead was closed.
    pub const TIMELINE_AFTER_CLOSE: &str = "leadrail::timeline::after_close";
    /// A timeline event by a partner the lead is not assigned to.
    pub const TIMELINE_NOT_ASSIGNED: &str = "leadrail::timeline::not_assigned";
    /// An `assigned` event while the lead is already assigned.
    pub const TIMELINE_ALREADY_ASSIGNED: &str = "leadrail::timeline::already_assigned";
    /// A `created` event that is not the first event.
    pub const TIMELINE_CREATED_NOT_FIRST: &str = "leadrail::timeline::created_not_first";
    /// An SLA policy is malformed (no goal, a bad threshold, a duplicate action).
    pub const SLA_INVALID_POLICY: &str = "leadrail::sla::invalid_policy";
    /// An SLA policy names a calendar that is not defined, or a partner has no calendar.
    pub const SLA_UNKNOWN_CALENDAR: &str = "leadrail::sla::unknown_calendar";
    /// An SLA names an event kind that does not exist.
    pub const SLA_UNKNOWN_EVENT: &str = "leadrail::sla::unknown_event";
    /// A literal that is malformed or out of range (number, date, duration, version).
    pub const PARSE_INVALID_LITERAL: &str = "leadrail::parse::invalid_literal";
    /// A route clause written after a clause that must follow it.
    pub const PARSE_CLAUSE_ORDER: &str = "leadrail::parse::clause_order";
    /// A route clause that may appear once, written twice.
    pub const PARSE_DUPLICATE_CLAUSE: &str = "leadrail::parse::duplicate_clause";
    /// `a < b < c`: comparisons do not chain.
    pub const PARSE_CHAINED_COMPARISON: &str = "leadrail::parse::chained_comparison";
    /// An expression nested deeper than the parser allows.
    pub const PARSE_TOO_DEEP: &str = "leadrail::parse::too_deep";
    /// An operand or argument of the wrong type.
    pub const TYPE_MISMATCH: &str = "leadrail::type::mismatch";
    /// A field type that does not exist.
    pub const TYPE_UNKNOWN_TYPE: &str = "leadrail::type::unknown_type";
    /// A bare name that is not a member of the expected enum (or has no enum to resolve against).
    pub const TYPE_UNKNOWN_SYMBOL: &str = "leadrail::type::unknown_symbol";
    /// A call to a function that is not a built-in.
    pub const TYPE_UNKNOWN_FUNCTION: &str = "leadrail::type::unknown_function";
    /// `x.field` where `x` is neither `lead` nor `partner`.
    pub const TYPE_UNKNOWN_RECORD: &str = "leadrail::type::unknown_record";
    /// A built-in called with the wrong number of arguments.
    pub const TYPE_ARITY: &str = "leadrail::type::arity";
    /// A clause that reads a record it may not read (a `when` reading `partner.` fields).
    pub const TYPE_SCOPE: &str = "leadrail::type::scope";
    /// A string that is not a valid region code where a region is expected.
    pub const TYPE_INVALID_REGION: &str = "leadrail::type::invalid_region";
    /// A rule that can never fire because an earlier rule always decides (warning).
    pub const CHECK_UNREACHABLE_RULE: &str = "leadrail::check::unreachable_rule";
    /// A schema declares the same field twice.
    pub const CHECK_DUPLICATE_FIELD: &str = "leadrail::check::duplicate_field";
    /// A schema declares the implicit `id` field.
    pub const CHECK_RESERVED_FIELD: &str = "leadrail::check::reserved_field";
    /// A declaration that may appear once appears twice (ruleset, schema, fallback, rule name).
    pub const CHECK_DUPLICATE_ITEM: &str = "leadrail::check::duplicate_item";
    /// A required declaration is missing (ruleset, lead or partner schema).
    pub const CHECK_MISSING_ITEM: &str = "leadrail::check::missing_item";
    /// `schema x` where `x` is neither `lead` nor `partner`.
    pub const CHECK_UNKNOWN_SCHEMA: &str = "leadrail::check::unknown_schema";
    /// A construct that needs a schema field the schema does not have (e.g. `balance workload`
    /// without `capacity`).
    pub const CHECK_SCHEMA_REQUIREMENT: &str = "leadrail::check::schema_requirement";
    /// A registration policy that cannot work: a threshold outside 0..1, a repeated entry, no
    /// `match` entry, a protection that is not whole days, an action a situation does not take.
    pub const REGISTRATION_INVALID_POLICY: &str = "leadrail::registration::invalid_policy";
    /// An unknown word in a registration policy: a match key, a record kind, a situation or an
    /// action (with did-you-mean).
    pub const REGISTRATION_UNKNOWN_NAME: &str = "leadrail::registration::unknown_name";
}
