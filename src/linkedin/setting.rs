//! Reaching "Data for Generative AI Improvement", reading its switch, and switching it off.
//!
//! The fast way opens the setting's own URL; when that page is not the setting (not found,
//! redirected, moved), the walk goes where a member goes: feed, Me, Settings & Privacy,
//! Data privacy, the setting. Only a switch read "off" after a reload counts as off.

use std::time::Duration;

use super::page::{Look, Page, SwitchState};
use super::rules::{Marker, paths, texts};
use crate::browser::wait::{self, WaitError};
use crate::error::Error;
use crate::report::{SettingState, Steps};

/// How long a setting page that shows its title may take to draw its switch.
const SWITCH_GRACE: Duration = Duration::from_secs(2);

/// What the setting page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// The switch, found by this marker.
    Switch(Marker),
    /// The setting's page, without a switch: LinkedIn does not offer it to this account.
    NotOffered,
    /// LinkedIn sent us to sign in (no session, or it expired).
    SignedOut,
}

/// Whether `look` is the setting's page, and what it offers.
fn setting_page(look: &Look) -> Option<Reached> {
    if look.has(Marker::SettingSwitch) {
        return Some(Reached::Switch(Marker::SettingSwitch));
    }
    if look.status == Some(404) || !look.path().starts_with(paths::SETTINGS_PREFIX) {
        return None;
    }
    if look.count(Marker::AnySwitch) == 1 {
        return Some(Reached::Switch(Marker::AnySwitch));
    }
    let heading = normalise(&look.heading);
    texts::SETTING_TITLE
        .iter()
        .any(|title| normalise(title) == heading)
        .then_some(Reached::NotOffered)
}

fn signed_out(look: &Look) -> bool {
    look.path().starts_with(paths::AUTHWALL)
        || look.has(Marker::LoginPassword)
        || look.path().starts_with("/checkpoint/lg/")
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('’', "'")
}

/// What a settings page offers once it has drawn itself. A page that answered at a settings
/// path but shows neither a switch nor the setting's title may still be rendering (LinkedIn
/// draws parts of its pages with script), so it gets the run's timeout to do so.
async fn rendered_setting_page(page: &Page<'_>, look: Look) -> Result<Option<Reached>, Error> {
    match setting_page(&look) {
        Some(Reached::NotOffered) => return switch_after_title(page).await.map(Some),
        Some(reached) => return Ok(Some(reached)),
        None => {}
    }
    if look.status == Some(404) || !look.path().starts_with(paths::SETTINGS_PREFIX) {
        return Ok(None);
    }
    match page
        .wait_for("the setting's page to draw itself", setting_page)
        .await
    {
        Ok((_, reached)) => Ok(Some(reached)),
        Err(Error::Other(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

/// The setting's title is there but no switch: one drawn by script may follow within a short
/// grace; after it, the setting counts as not offered (never as off).
async fn switch_after_title(page: &Page<'_>) -> Result<Reached, Error> {
    let switch = |look: &Look| match setting_page(look) {
        Some(Reached::Switch(marker)) => Some(marker),
        _ => None,
    };
    match page
        .wait_within(
            "a switch to follow the title",
            SWITCH_GRACE.min(page.timeout),
            switch,
        )
        .await
    {
        Ok((_, marker)) => Ok(Reached::Switch(marker)),
        Err(Error::Other(_)) => Ok(Reached::NotOffered),
        Err(err) => Err(err),
    }
}

/// Opens the setting: by its URL unless `walk`, and by the walk when the URL fails.
pub async fn reach(page: &Page<'_>, walk: bool, steps: &Steps) -> Result<Reached, Error> {
    if !walk {
        steps.step("opening Data for Generative AI Improvement");
        let look = page.open(paths::SETTING).await?;
        if signed_out(&look) {
            return Ok(Reached::SignedOut);
        }
        let url = look.url.clone();
        let status = look.status;
        if let Some(reached) = rendered_setting_page(page, look).await? {
            return Ok(reached);
        }
        tracing::info!(
            %url,
            ?status,
            "the setting's URL did not lead to it; walking Settings & Privacy > Data privacy as a member does"
        );
    }
    walk_to_setting(page, steps).await
}

async fn walk_to_setting(page: &Page<'_>, steps: &Steps) -> Result<Reached, Error> {
    steps.step("walking: feed");
    // Signing in lands on the feed: no need to load it again.
    let here = page.look().await?;
    let look = if here.path().starts_with(paths::FEED_PATH) && here.shows(Marker::MeMenuTrigger) {
        here
    } else {
        page.open(paths::FEED).await?
    };
    if signed_out(&look) {
        return Ok(Reached::SignedOut);
    }
    if !look.shows(Marker::MeMenuTrigger) {
        return Err(page.not_understood("the feed has no \"Me\" menu").await);
    }
    steps.step("walking: Me > Settings & Privacy");
    page.click(Marker::MeMenuTrigger).await?;
    page.wait_for("the Me menu to open", |look| {
        look.shows(Marker::SettingsLink).then_some(())
    })
    .await?;
    let look = page.click_and_follow(Marker::SettingsLink).await?;
    if !look.path().starts_with(paths::CATEGORIES_PREFIX) || !look.has(Marker::PrivacyCategoryLink)
    {
        return Err(page
            .not_understood("Settings & Privacy has no Data privacy category")
            .await);
    }
    steps.step("walking: Data privacy");
    let look = page.click_and_follow(Marker::PrivacyCategoryLink).await?;
    if look.path().trim_end_matches('/') != paths::PRIVACY_CATEGORY {
        return Err(page
            .not_understood("the Data privacy link led elsewhere")
            .await);
    }
    steps.step("walking: Data for Generative AI Improvement");
    let look = if look.has(Marker::SettingLink) {
        page.click_and_follow(Marker::SettingLink).await?
    } else {
        // The setting moved: its link is known only by its title.
        page.mark_document().await?;
        if !page
            .click_by_text(Marker::AnySettingLink.css(), texts::SETTING_TITLE)
            .await?
        {
            return Err(page
                .not_understood("Data privacy lists no \"Data for Generative AI Improvement\"")
                .await);
        }
        page.next_document().await?
    };
    tracing::info!(url = %look.url, "reached the setting by walking");
    match rendered_setting_page(page, look).await? {
        Some(reached) => Ok(reached),
        None => Err(page
            .not_understood(
                "the Data for Generative AI Improvement link led to a page without the setting",
            )
            .await),
    }
}

/// Waits until the page has confirmed the switch's state, and returns it.
async fn settled_switch(page: &Page<'_>, marker: Marker) -> Result<SwitchState, Error> {
    let state = wait::until("the switch to settle", page.timeout, async || {
        let state = page.switch_state(marker).await?;
        Ok::<_, Error>((state.count != 1 || state.settled()).then_some(state))
    })
    .await
    .map_err(|err| match err {
        WaitError::Failed(err) => err,
        timed_out => Error::Other(anyhow::anyhow!("{timed_out}")),
    })?;
    if state.count != 1 {
        return Err(page
            .not_understood(format!(
                "expected one switch for `{}`, found {}",
                marker.css(),
                state.count
            ))
            .await);
    }
    Ok(state)
}

/// Reads the switch.
pub async fn read(page: &Page<'_>, marker: Marker) -> Result<SettingState, Error> {
    let state = settled_switch(page, marker).await?;
    Ok(if state.checked {
        SettingState::On
    } else {
        SettingState::Off
    })
}

/// Switches the setting off and waits for the page to confirm; clicks only a switch that
/// reads on, so it can never switch the setting on.
pub async fn switch_off(page: &Page<'_>, marker: Marker, steps: &Steps) -> Result<(), Error> {
    let state = settled_switch(page, marker).await?;
    if !state.checked {
        return Ok(());
    }
    steps.step("switching it off");
    page.click_switch(marker, state.id.as_deref()).await?;
    let confirmed = settled_switch(page, marker).await?;
    let look = page.look().await?;
    if confirmed.checked || look.shows(Marker::ErrorToast) {
        let toast = if look.alert.is_empty() {
            String::new()
        } else {
            format!(": \"{}\"", look.alert)
        };
        return Err(Error::DidNotStick {
            detail: format!("LinkedIn did not save the change{toast}"),
            artifacts: None,
        });
    }
    Ok(())
}

/// Reloads the setting page and reads the switch again: the only proof that counts. `None`
/// when the reload found the session ended.
pub async fn verify(
    page: &Page<'_>,
    marker: Marker,
    steps: &Steps,
) -> Result<Option<SettingState>, Error> {
    steps.step("verifying after a reload");
    let look = page.reload().await?;
    if signed_out(&look) {
        return Ok(None);
    }
    if rendered_setting_page(page, look).await?.is_none() {
        return Err(page
            .not_understood("after a reload, the page no longer shows the setting")
            .await);
    }
    read(page, marker).await.map(Some)
}
