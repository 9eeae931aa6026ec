//! `opsdeck observation confirm ID`: a value marked for review (far from
//! its indicator's recent values) was checked and is right; the mark is
//! cleared and the same value is not marked again by a re-fetch.

use super::Context;
use crate::store::review::confirm;

/// `opsdeck observation confirm ID`.
pub fn run(ctx: &Context, id: i64) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    if !store.observation_exists(id)? {
        eprintln!("opsdeck: observation {id}: no such observation");
        return Ok(2);
    }
    let cleared = store.write(|tx| confirm(tx, ctx.now, id))?;
    if cleared {
        println!("observation {id}: confirmed; no longer to review");
    } else {
        println!("observation {id}: was not marked for review; nothing changed");
    }
    Ok(0)
}
