//! A deal-registration registry held by a host object (Python's and Node's `Registry`): built
//! once from records in their JSON form, changed one record at a time without rebuilding its
//! index, and read by lead routing ([`super::lead_conflict`]) on a [`SharedNetwork`]. Errors
//! are core's reports, raised by the bindings as they are.

#![expect(
    clippy::result_large_err,
    reason = "the language-neutral ErrorReport is what bindings raise"
)]

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value as Json;

use super::batch::SharedNetwork;
use super::lead_conflict::{assign_all, route_all, ConflictDecision};
use super::register::{
    registration_from_json, registration_to_json, registrations_from_json, registry_to_json,
};
use crate::dealreg::Registry;
use crate::record::Record;
use crate::report::ErrorReport;
use crate::route::{Engine, RouteOptions};
use crate::value::EpochMs;

/// A [`Registry`] shared by a host's threads.
#[derive(Debug, Default)]
pub struct SharedRegistry {
    reg: RwLock<Registry>,
}

fn poisoned() -> ErrorReport {
    ErrorReport::request(
        "the registry is unusable after a failure in another thread",
        "build a new registry",
    )
}

impl SharedRegistry {
    /// The registry of `records`, a list of registrations, CRM accounts and open leads in their
    /// JSON form; a record that cannot be read, or a repeated id, is the error (naming the
    /// record and the field).
    pub fn from_json(records: &Json) -> Result<SharedRegistry, ErrorReport> {
        let Some(records) = records.as_array() else {
            return Err(ErrorReport::request(
                "the registry must be a list of records",
                "give the registrations, CRM accounts and open leads as a list of objects",
            ));
        };
        let records = registrations_from_json(records, "registry")?;
        Ok(SharedRegistry {
            reg: RwLock::new(Registry::from_records(records)),
        })
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, Registry>, ErrorReport> {
        self.reg.read().map_err(|_| poisoned())
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, Registry>, ErrorReport> {
        self.reg.write().map_err(|_| poisoned())
    }

    /// Adds a record (its JSON form), or replaces the record of the same id; `true` when it
    /// replaced one.
    pub fn add(&self, record: &Json) -> Result<bool, ErrorReport> {
        let rec = registration_from_json(record, "registry", 1)?;
        Ok(self.write()?.insert(rec).is_some())
    }

    /// Removes the record of `id`; `true` when there was one.
    pub fn remove(&self, id: &str) -> Result<bool, ErrorReport> {
        Ok(self.write()?.remove(id).is_some())
    }

    /// Marks expired every approved registration whose protection ended at `now`; their ids,
    /// earliest end first.
    pub fn expire(&self, now: EpochMs) -> Result<Vec<String>, ErrorReport> {
        Ok(self.write()?.expire_due(now))
    }

    /// The record of `id` in its JSON form (the form [`SharedRegistry::from_json`] and
    /// [`SharedRegistry::add`] read: [`registration_to_json`]), with its current status (e.g.
    /// `expired` after [`SharedRegistry::expire`]); `None` when it holds none.
    ///
    /// ```
    /// use leadrail_core::host::SharedRegistry;
    /// use serde_json::json;
    ///
    /// let reg = SharedRegistry::from_json(&json!([{"id": "r1", "partner": "p1",
    ///     "company": "Acme", "submitted_at": 0, "status": "approved", "protected_until": 10}]))
    ///     .unwrap();
    /// assert_eq!(reg.expire(10).unwrap(), ["r1"]);
    /// assert_eq!(reg.get("r1").unwrap().unwrap()["status"], "expired");
    /// assert_eq!(reg.get("r2").unwrap(), None);
    /// ```
    pub fn get(&self, id: &str) -> Result<Option<Json>, ErrorReport> {
        Ok(self.read()?.get(id).map(registration_to_json))
    }

    /// Every record in its JSON form ([`SharedRegistry::get`]), in the order the records were
    /// added (a record replaced by [`SharedRegistry::add`] moves to the end, a removed one is
    /// left out; a lead recorded by `route` with `record` comes last): the registry's state,
    /// which [`SharedRegistry::from_json`] reads back into a registry that checks and routes
    /// alike.
    ///
    /// ```
    /// use leadrail_core::host::SharedRegistry;
    /// use serde_json::json;
    ///
    /// let records = json!([
    ///     {"id": "r1", "partner": "p1", "company": "Acme", "submitted_at": 0},
    ///     {"id": "a1", "kind": "account", "partner": "direct:jane", "company": "Globex",
    ///      "submitted_at": 0, "status": "approved"},
    /// ]);
    /// let reg = SharedRegistry::from_json(&records).unwrap();
    /// let ids: Vec<_> = reg.records().unwrap().iter().map(|r| r["id"].clone()).collect();
    /// assert_eq!(ids, ["r1", "a1"]);
    /// let again = SharedRegistry::from_json(&json!(reg.records().unwrap())).unwrap();
    /// assert_eq!(again.records().unwrap(), reg.records().unwrap());
    /// ```
    pub fn records(&self) -> Result<Vec<Json>, ErrorReport> {
        Ok(registry_to_json(&*self.read()?))
    }

    /// How many records it holds.
    pub fn len(&self) -> Result<usize, ErrorReport> {
        Ok(self.read()?.len())
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> Result<bool, ErrorReport> {
        Ok(self.read()?.is_empty())
    }

    /// Routes `leads` in order at `now` on `network` (never to a partner of `exclude`), each checked against the registry
    /// ([`route_all`]); with `record`, records each assignment and adds each lead given to a
    /// partner as an open lead ([`assign_all`]: nothing changes when a lead is refused).
    pub fn route(
        &self,
        engine: &Engine,
        network: &SharedNetwork,
        leads: &[Record],
        now: EpochMs,
        exclude: Vec<String>,
        record: bool,
    ) -> Result<Vec<ConflictDecision>, ErrorReport> {
        let opts = &RouteOptions {
            explain: false,
            exclude,
        };
        if record {
            let mut reg = self.write()?;
            network.write(|net| assign_all(engine, net, &mut reg, leads, now, opts))?
        } else {
            let reg = self.read()?;
            network.read(|net| route_all(engine, net, &reg, leads, now, opts))?
        }
    }
}
