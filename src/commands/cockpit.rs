//! `opsdeck` (the cockpit), `opsdeck standup` and `opsdeck snapshot`.

use super::Context;
use crate::tui::app::View;
use crate::tui::keys::KeyTable;
use crate::tui::theme::Theme;
use anyhow::anyhow;

/// Opens the cockpit on `view`.
pub fn run(ctx: &Context, view: View) -> anyhow::Result<u8> {
    let keys = keys()?;
    let store = ctx.open()?;
    let cmdline: std::sync::Arc<dyn crate::tui::cmdline::CommandLine> =
        std::sync::Arc::new(super::cmdline::ClapCommandLine);
    let options = crate::tui::Options {
        mouse: ctx.mouse,
        fixed_now: ctx.fixed_clock.then_some(ctx.now),
    };
    crate::tui::run(store, view, &ctx.config, keys, Some(cmdline), options)?;
    Ok(0)
}

/// `opsdeck standup --format markdown`: the standup's sections as Markdown
/// on stdout, from the same sections the view draws. Records nothing: the
/// previous standup stays the one to compare with.
pub fn standup_markdown(ctx: &Context) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let app = crate::tui::loaded_app(&mut store, View::Standup, ctx.now, Theme::mono());
    if let Some(e) = &app.load_error {
        return Err(anyhow!("could not read the database: {e}"));
    }
    crate::commands::emit(&crate::tui::views::standup::markdown(&app.models))?;
    Ok(0)
}

/// The key table: `keys.toml` beside the config file, or the defaults.
fn keys() -> anyhow::Result<KeyTable> {
    KeyTable::load_beside(crate::config::Config::path().as_deref()).map_err(|e| anyhow!(e))
}

/// Prints one frame of `view` as plain text.
pub fn snapshot(ctx: &Context, width: u16, height: u16, view: &str) -> anyhow::Result<u8> {
    let view = View::parse(view).ok_or_else(|| {
        anyhow!(
            "--view: '{}' is not a view (cockpit, indicators, work, playbooks, alerts, experiments, decisions, feedback, standup)",
            crate::text::sanitize(view)
        )
    })?;
    let (min_w, min_h) = crate::tui::views::MIN_SIZE;
    if width > 1000 || height > 1000 {
        return Err(anyhow!(
            "--width/--height: {width}x{height} is out of range ({min_w}x{min_h} to 1000x1000)"
        ));
    }
    if width < min_w || height < min_h {
        return Err(anyhow!(
            "--width/--height: {width}x{height} is smaller than the {min_w}x{min_h} a view needs"
        ));
    }
    let keys = keys()?;
    let mut store = ctx.open()?;
    let mut app = crate::tui::loaded_app(&mut store, view, ctx.now, Theme::mono());
    if let Some(e) = &app.load_error {
        return Err(anyhow!("could not read the database: {e}"));
    }
    app.keys = keys;
    // The cockpit's zone: the config's, else the operation's.
    app.zone = ctx.config.timezone;
    let text = crate::tui::render_to_text(&app, width, height);
    crate::commands::emit(&text)?;
    Ok(0)
}
