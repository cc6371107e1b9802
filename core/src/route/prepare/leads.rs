//! The leads of a prepared batch ([`Leads`]): records, or the host's columns they are read from
//! only when routing needs a record (the general path, a fused rule that reads the lead, an
//! error message), so a batch a host routes from columns through the fused loop builds no
//! record per lead and frees none.
//!
//! While a batch is prepared, each lead's record is read through a [`LazyLead`]: borrowed from
//! the records, or read from the columns only when a value is not served by a column directly
//! (a dictionary code's cached key or slot value, an integer cell).

use std::borrow::Cow;
use std::sync::Arc;

use crate::plan::Plan;
use crate::record::{Column, ColumnRows, Record};

/// The leads of a batch.
#[derive(Debug, Clone)]
pub(crate) enum Leads {
    /// One record per lead.
    Records(Vec<Record>),
    /// The host's columns.
    Columns(LeadColumns),
}

/// A batch's leads as the host's columns: lead `i` is row `rows[i]` (row `i` without bad
/// rows), which reads without error (the batch holds the good rows only).
#[derive(Debug, Clone)]
pub(crate) struct LeadColumns {
    /// The plan (whose lead schema the columns are read against).
    pub(super) plan: Arc<Plan>,
    pub(super) len: usize,
    pub(super) ids: Column,
    pub(super) fields: Vec<(String, Column)>,
    pub(super) rows: Option<Vec<usize>>,
}

impl LeadColumns {
    /// The row of lead `i`.
    #[inline]
    pub(super) fn row(&self, i: usize) -> usize {
        match &self.rows {
            Some(rows) => rows.get(i).copied().unwrap_or(usize::MAX),
            None => i,
        }
    }
}

impl Leads {
    /// The number of leads.
    pub(super) fn len(&self) -> usize {
        match self {
            Leads::Records(v) => v.len(),
            Leads::Columns(c) => c.len,
        }
    }

    /// A reader of the leads' records.
    pub(crate) fn reader(&self) -> LeadReader<'_> {
        match self {
            Leads::Records(v) => LeadReader::Records(v),
            Leads::Columns(c) => {
                let named: Vec<(&str, &Column)> =
                    c.fields.iter().map(|(n, c)| (n.as_str(), c)).collect();
                let schema = &c.plan.lead_schema;
                LeadReader::Columns(c, Box::new(ColumnRows::new(schema, &c.ids, &named)))
            }
        }
    }

    /// Every lead's record, in order.
    pub(super) fn records(&self) -> Cow<'_, [Record]> {
        match self {
            Leads::Records(v) => Cow::Borrowed(v),
            Leads::Columns(c) => {
                let mut reader = self.reader();
                Cow::Owned((0..c.len).map(|i| reader.lead(i).into_owned()).collect())
            }
        }
    }
}

/// Reads the records of a batch's leads, lead by lead.
pub(crate) enum LeadReader<'b> {
    Records(&'b [Record]),
    Columns(&'b LeadColumns, Box<ColumnRows<'b>>),
}

impl<'b> LeadReader<'b> {
    /// Lead `i`'s record.
    #[inline]
    pub(crate) fn lead(&mut self, i: usize) -> Cow<'b, Record> {
        match self {
            LeadReader::Records(v) => v.get(i).map_or_else(blank, Cow::Borrowed),
            LeadReader::Columns(c, reader) => read(reader, c.row(i)),
        }
    }
}

/// Row `row`'s record (a row of the batch: it reads without error).
fn read<'b>(reader: &mut ColumnRows<'_>, row: usize) -> Cow<'b, Record> {
    match reader.row(row) {
        Ok((lead, _)) => Cow::Owned(lead),
        // (never: the batch holds rows that read)
        Err(_) => blank(),
    }
}

/// A record without id or values (what a lead that went missing reads as).
fn blank<'b>() -> Cow<'b, Record> {
    Cow::Owned(Record {
        id: Arc::from(""),
        values: Vec::new(),
    })
}

/// Where preparation reads leads from: records, or rows of columns.
pub(super) trait LeadSource<'b> {
    /// Lead `i`'s record (`row`: its row).
    fn lead(&mut self, i: usize, row: usize) -> Cow<'b, Record>;

    /// Lead field `f` of row `row` as an integer when it is read from an integer column
    /// (`Some(None)`: missing), so the record need not be built.
    fn int(&self, _row: usize, _f: usize) -> Option<Option<i64>> {
        None
    }
}

impl<'b> LeadSource<'b> for &'b [Record] {
    #[inline]
    fn lead(&mut self, i: usize, _row: usize) -> Cow<'b, Record> {
        let leads: &'b [Record] = self;
        leads.get(i).map_or_else(blank, Cow::Borrowed)
    }
}

impl<'b> LeadSource<'b> for ColumnRows<'_> {
    fn lead(&mut self, _i: usize, row: usize) -> Cow<'b, Record> {
        read(self, row)
    }

    #[inline]
    fn int(&self, row: usize, f: usize) -> Option<Option<i64>> {
        ColumnRows::int(self, row, f)
    }
}

/// One lead while it is prepared: its record is read from its source on first use.
pub(super) struct LazyLead<'s, 'b, S: LeadSource<'b>> {
    i: usize,
    row: usize,
    source: &'s mut S,
    record: Option<Cow<'b, Record>>,
}

impl<'s, 'b, S: LeadSource<'b>> LazyLead<'s, 'b, S> {
    /// Lead `i` (row `row`) of `source`.
    #[inline]
    pub(super) fn new(i: usize, row: usize, source: &'s mut S) -> Self {
        LazyLead {
            i,
            row,
            source,
            record: None,
        }
    }

    /// The lead's row in its columns.
    #[inline]
    pub(super) fn row(&self) -> usize {
        self.row
    }

    /// The lead's record, and whether it lives as long as the batch (so the addresses of its
    /// values identify them).
    #[inline]
    pub(super) fn get(&mut self) -> (&Record, bool) {
        let (i, row) = (self.i, self.row);
        let source = &mut *self.source;
        let r = self.record.get_or_insert_with(|| source.lead(i, row));
        let stable = matches!(r, Cow::Borrowed(_));
        (r, stable)
    }

    /// Lead field `f` as an integer read from an integer column, if it is one.
    #[inline]
    pub(super) fn int(&self, f: usize) -> Option<Option<i64>> {
        self.source.int(self.row, f)
    }
}
