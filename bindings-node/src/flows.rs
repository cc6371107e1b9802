//! A portal's single-lead flow (`addPartner`, `updatePartner`, `removePartner`, `release`,
//! `holder`; `assign` is network.rs's `_route` with `record`): one record as index.js encodes
//! records, core's `SharedNetwork` called (the write lock as batches take it; nothing changes
//! on failure), its report thrown as it is.

use leadrail_core::record::Record;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::raise;
use crate::network::JsNetwork;
use crate::wire;

impl JsNetwork {
    /// The partner record index.js encoded.
    fn partner(&self, env: &Env, encoded: Unknown<'_>) -> Result<Record> {
        let schema = &self.engine.plan().partner_schema;
        let rows = raise(env, wire::records(encoded, schema, "partners", 0)?)?;
        raise(env, rows.records(schema).into_one())
    }
}

#[napi]
impl JsNetwork {
    /// `addPartner` (index.js): the partner as index.js encodes records.
    #[napi(js_name = "_addPartner", skip_typescript)]
    pub fn add_partner(&self, env: Env, partner: Unknown<'_>) -> Result<()> {
        let record = self.partner(&env, partner)?;
        raise(&env, self.net.add_partner(record))
    }

    /// `updatePartner` (index.js): the partner as index.js encodes records.
    #[napi(js_name = "_updatePartner", skip_typescript)]
    pub fn update_partner(&self, env: Env, partner: Unknown<'_>) -> Result<()> {
        let record = self.partner(&env, partner)?;
        raise(&env, self.net.update_partner(record))
    }

    /// Removes a partner: later decisions never pick it, and the leads it held are no longer
    /// held. Throws `leadrail::data::unknown_partner` for an unknown id.
    #[napi]
    pub fn remove_partner(&self, env: Env, id: String) -> Result<()> {
        raise(&env, self.net.remove_partner(&id))
    }

    /// Releases a lead (closed, lost or retracted): its partner's workload slot is freed once;
    /// returns that partner's id. A lead `assign` did not give, or already released, throws
    /// `leadrail::data::unknown_lead` and changes nothing; for a lead routed by `routeBatch`
    /// (which keeps no ledger), pass its `partnerId`.
    #[napi]
    pub fn release(&self, env: Env, lead_id: String, partner_id: Option<String>) -> Result<String> {
        raise(&env, self.net.release(&lead_id, partner_id.as_deref()))
    }

    /// The id of the partner holding a lead that `assign` gave it, or null.
    #[napi]
    pub fn holder(&self, env: Env, lead_id: String) -> Result<Option<String>> {
        raise(
            &env,
            self.net.read(|n| n.holder(&lead_id).map(str::to_owned)),
        )
    }

    /// The partner schema's field names, in order (for index.js's encoder).
    #[napi(getter, js_name = "_partnerFields", skip_typescript)]
    pub fn partner_fields(&self) -> Vec<String> {
        self.engine.plan().partner_schema.names()
    }
}
