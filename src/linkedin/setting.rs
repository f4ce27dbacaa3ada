//! Reaching a switch's page (today "Data for Generative AI Improvement"), reading its switch,
//! and switching it off. Its page, key and titles come from the active catalogue
//! (`Page::switch`).
//!
//! The fast way opens the setting's own URL; when that page is not the setting (not found,
//! redirected, moved), the walk goes where a member goes: feed, Me, Settings & Privacy,
//! Data privacy, the setting; a switch not linked from Data privacy is looked for in the
//! other categories (the advertising switches sit under "Advertising data"). The setting is
//! known by meaning, in any language: the switch labelled by its key
//! (`catalogue::Switch::key`). Only a switch read "off" after a reload counts as off.

use std::time::Duration;

use url::Url;

use super::catalogue::Switch;
use super::page::{Look, Page, SwitchState};
use super::rules::{MAX_PROBES, Marker, paths, texts};
use crate::browser::wait::{self, WaitError};
use crate::error::Error;
use crate::linkedin::outcome::SettingState;
use crate::progress::Steps;

/// How long a setting page that shows its title may take to draw its switch, and how long a
/// probed page may take to draw the setting's switch.
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

/// What a page at a settings path shows.
enum Shown {
    Reached(Reached),
    /// More than one switch and none labelled by the setting's key: which one is the
    /// setting cannot be known.
    ManySwitches(u32),
}

/// Whether `look` is the setting's page, and what it offers. The switch labelled by the
/// setting's key wins wherever it is; the single switch of a settings page is taken only
/// when it is the only one there.
fn setting_page(switch: &Switch, look: &Look) -> Option<Shown> {
    if look.setting_switches > 0 {
        return Some(Shown::Reached(Reached::Switch(Marker::SettingSwitch)));
    }
    if look.status == Some(404) || !settings_path(switch, look) {
        return None;
    }
    match look.count(Marker::AnySwitch) {
        1 => return Some(Shown::Reached(Reached::Switch(Marker::AnySwitch))),
        0 => {}
        many => return Some(Shown::ManySwitches(many)),
    }
    let heading = texts::normalise(&look.heading);
    switch
        .title
        .values()
        .any(|title| texts::normalise(title) == heading)
        .then_some(Shown::Reached(Reached::NotOffered))
}

/// `look` is at a settings page: one under `settings/`, or the switch's own page (some live
/// elsewhere under `/mypreferences/d/`).
fn settings_path(switch: &Switch, look: &Look) -> bool {
    let own = format!("/{}", switch.page_path());
    look.path().starts_with(paths::SETTINGS_PREFIX) || look.path().trim_end_matches('/') == own
}

/// LinkedIn asks to sign in: the sign-in page, the authwall, or a password field.
pub(super) fn signed_out(look: &Look) -> bool {
    let path = look.path().trim_end_matches('/');
    paths::SIGN_IN_PAGES.contains(&path) || look.has(Marker::LoginPassword)
}

/// A page LinkedIn put between the member and where they were going (add a phone number,
/// confirm the email, new terms, an upsell): signed in, but neither the feed (nor the home
/// page that leads there) nor Settings.
fn interstitial(look: &Look) -> bool {
    !signed_out(look)
        && look.path() != "/"
        && !look.path().starts_with("/mypreferences/")
        && !look.path().starts_with(paths::FEED_PATH)
        && look.status.is_none_or(|status| status < 400)
}

/// Opens `path`; when LinkedIn answers with an interstitial, opens it once more (some are
/// shown once), and stops when LinkedIn sends the run back to the same one: never filled in
/// or accepted for the member, it needs a person.
async fn open_past_interstitials(page: &Page<'_>, path: &str) -> Result<Look, Error> {
    let look = page.open(path).await?;
    if !interstitial(&look) {
        return Ok(look);
    }
    tracing::info!(url = %look.url, "LinkedIn showed a page of its own instead; going on without answering it");
    let shown = look.url.path().to_string();
    let again = page.open(path).await?;
    if interstitial(&again) && again.path() == shown {
        return Err(Error::Interstitial {
            account: page.account.clone(),
            url: again.url.to_string(),
        });
    }
    Ok(again)
}

/// What a page at a settings path shows, as an outcome: several switches and none labelled
/// by the key is a page not understood.
async fn shown(page: &Page<'_>, shown: Shown) -> Result<Reached, Error> {
    match shown {
        Shown::Reached(reached) => Ok(reached),
        Shown::ManySwitches(count) => Err(page
            .not_understood(format!(
                "the setting's page has {count} switches and none is labelled `{}`",
                page.switch.key
            ))
            .await),
    }
}

/// What a settings page offers once it has drawn itself. A page that answered at a settings
/// path but shows neither a switch nor the setting's title may still be rendering (LinkedIn
/// draws parts of its pages with script), so it gets the run's timeout to do so.
async fn rendered_setting_page(page: &Page<'_>, look: Look) -> Result<Option<Reached>, Error> {
    match setting_page(&page.switch, &look) {
        Some(Shown::Reached(Reached::NotOffered)) => {
            return switch_after_title(page).await.map(Some);
        }
        Some(found) => return shown(page, found).await.map(Some),
        None => {}
    }
    if look.status == Some(404) || !settings_path(&page.switch, &look) {
        return Ok(None);
    }
    match page
        .poll_within("the setting's page to draw itself", page.timeout, |look| {
            setting_page(&page.switch, look)
        })
        .await?
    {
        Some((_, found)) => shown(page, found).await.map(Some),
        None => Ok(None),
    }
}

/// The setting's title is there but no switch: one drawn by script may follow within a short
/// grace; after it, the setting counts as not offered (never as off).
async fn switch_after_title(page: &Page<'_>) -> Result<Reached, Error> {
    let switch = |look: &Look| match setting_page(&page.switch, look) {
        Some(Shown::Reached(Reached::NotOffered)) | None => None,
        Some(found) => Some(found),
    };
    match page
        .poll_within(
            "a switch to follow the title",
            SWITCH_GRACE.min(page.timeout),
            switch,
        )
        .await?
    {
        Some((_, found)) => shown(page, found).await,
        None => Ok(Reached::NotOffered),
    }
}

/// Opens the setting: by its URL unless `walk`, and by the walk when the URL fails.
pub async fn reach(page: &Page<'_>, walk: bool, steps: &Steps) -> Result<Reached, Error> {
    if !walk {
        steps.step(&format!(
            "opening {}",
            steps.switch_label(&page.switch.name)
        ));
        let look = open_past_interstitials(page, &page.switch.page_path()).await?;
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

/// The setting on the page already loaded (see `flow::Access::page_loaded`); when that page
/// does not show it after all, reaches it as `reach` does.
pub async fn reach_here(page: &Page<'_>, walk: bool, steps: &Steps) -> Result<Reached, Error> {
    steps.step(&format!(
        "reading {} on the same page",
        steps.switch_label(&page.switch.name)
    ));
    let look = page.look().await?;
    if !signed_out(&look)
        && settings_path(&page.switch, &look)
        && let Some(reached) = rendered_setting_page(page, look).await?
    {
        return Ok(reached);
    }
    reach(page, walk, steps).await
}

async fn walk_to_setting(page: &Page<'_>, steps: &Steps) -> Result<Reached, Error> {
    steps.step("walking: feed");
    // Signing in lands on the feed: no need to load it again.
    let here = page.look().await?;
    let look = if here.path().starts_with(paths::FEED_PATH) && here.shows(Marker::MeMenuTrigger) {
        here
    } else {
        open_past_interstitials(page, paths::FEED).await?
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
    if !look.has(Marker::SettingLink) {
        if let Some(reached) = other_categories(page, steps).await? {
            return Ok(reached);
        }
        steps.step(&format!("walking: {}", page.switch.title_en()));
        return probe_settings_links(page).await;
    }
    steps.step(&format!("walking: {}", page.switch.title_en()));
    follow_setting_link(page).await
}

/// Opens the switch's page by its link on the category page the walk is at.
async fn follow_setting_link(page: &Page<'_>) -> Result<Reached, Error> {
    let look = page.click_and_follow(Marker::SettingLink).await?;
    tracing::info!(url = %look.url, "reached the setting by walking");
    match rendered_setting_page(page, look).await? {
        Some(reached) => Ok(reached),
        None => Err(page
            .not_understood(format!(
                "the {} link led to a page without the setting",
                page.switch.title_en()
            ))
            .await),
    }
}

/// The switch is not linked from Data privacy: looks through Settings & Privacy's other
/// categories (LinkedIn files its advertising switches under "Advertising data") for the
/// link to the switch's page, on LinkedIn's own origin only, at most `MAX_PROBES`. A category
/// is known by that link, never by its name or its address, which differ by language and
/// are not all on record. `None`: no category links to it, and the walk is back at Data
/// privacy.
async fn other_categories(page: &Page<'_>, steps: &Steps) -> Result<Option<Reached>, Error> {
    let privacy = page.look().await?.url;
    let categories: Vec<Url> = page
        .links(Marker::AnyCategoryLink, &[])
        .await?
        .into_iter()
        .map(|(url, _)| url)
        .filter(|url| url.origin() == page.base.origin() && url.path() != privacy.path())
        .take(MAX_PROBES)
        .collect();
    for url in categories {
        tracing::info!(%url, "looking for the switch's link in another category");
        let look = page.open_url(&url).await?;
        if signed_out(&look) {
            return Ok(Some(Reached::SignedOut));
        }
        if look.has(Marker::SettingLink) {
            steps.step(&format!("walking: {}", page.switch.title_en()));
            return follow_setting_link(page).await.map(Some);
        }
    }
    page.open_url(&privacy).await?;
    Ok(None)
}

/// The setting moved, in a language the rules may not know: opens Data privacy's settings
/// links in page order (those whose text is a known title first), on LinkedIn's own origin
/// only, until one shows the switch labelled by the setting's key, at most `MAX_PROBES`.
async fn probe_settings_links(page: &Page<'_>) -> Result<Reached, Error> {
    let privacy = page.look().await?.url;
    let mut links: Vec<(Url, bool)> = page
        .links(Marker::AnySettingLink, &page.switch.titles())
        .await?
        .into_iter()
        .filter(|(url, _)| url.origin() == page.base.origin())
        .collect();
    // A stable sort: known titles first, page order otherwise.
    links.sort_by_key(|(_, known_title)| !known_title);
    let count = links.len().min(MAX_PROBES);
    for (url, known_title) in links.into_iter().take(MAX_PROBES) {
        tracing::info!(%url, known_title, key = %page.switch.key, "probing a Data privacy link for the switch labelled by its key");
        let look = page.open_url(&url).await?;
        if signed_out(&look) {
            return Ok(Reached::SignedOut);
        }
        let found = if known_title {
            rendered_setting_page(page, look).await?
        } else if look.setting_switches > 0 {
            Some(Reached::Switch(Marker::SettingSwitch))
        } else {
            // Only the switch labelled by the key proves the setting in a language the rules
            // do not know; a page drawn by script gets a short grace to show it.
            page.poll_within(
                "the switch labelled by the setting's key",
                SWITCH_GRACE.min(page.timeout),
                |look| (look.setting_switches > 0).then_some(()),
            )
            .await?
            .map(|_| Reached::Switch(Marker::SettingSwitch))
        };
        if let Some(reached) = found {
            tracing::info!(%url, "reached the setting by walking");
            return Ok(reached);
        }
    }
    page.open_url(&privacy).await?;
    Err(page
        .not_understood(format!(
            "none of the {count} settings pages linked from Data privacy shows the switch labelled `{}`",
            page.switch.key
        ))
        .await)
}

/// Waits until the page has confirmed the switch's state, and returns it.
async fn settled_switch(page: &Page<'_>, marker: Marker) -> Result<SwitchState, Error> {
    const WHAT: &str = "the switch to settle (nothing in flight, its state readable)";
    let state = wait::until(WHAT, page.timeout, async || {
        let state = page.switch_state(marker).await?;
        Ok::<_, Error>((state.count != 1 || state.settled()).then_some(state))
    })
    .await;
    let state = match state {
        Ok(state) => state,
        Err(WaitError::Failed(err)) => return Err(err),
        Err(WaitError::TimedOut { .. }) => return Err(page.timed_out(WHAT, page.timeout).await),
    };
    if state.count != 1 {
        return Err(page
            .not_understood(format!(
                "expected one switch for `{}`, found {}",
                page.css(marker),
                state.count
            ))
            .await);
    }
    Ok(state)
}

/// Reads the switch.
pub async fn read(page: &Page<'_>, marker: Marker) -> Result<SettingState, Error> {
    let state = settled_switch(page, marker).await?;
    Ok(match state.on {
        Some(true) => SettingState::On,
        Some(false) => SettingState::Off,
        // A settled switch has a state; were it ever missing, it is not "off".
        None => SettingState::Unknown,
    })
}

/// How a click on the switch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switched {
    /// The page confirmed the switch off (the reload still has to prove it).
    Off,
    /// LinkedIn sent the page to sign in: the session ended before the save.
    SignedOut,
}

/// What the page shows after the click, as the wait sees it.
enum AfterClick {
    Done(Switched),
    Toast(String),
    NewDialog,
    SnappedBack,
}

/// Switches the setting off and waits for the page to confirm; clicks only a switch that
/// reads on, so it can never switch the setting on. A modal dialog that opens in answer to
/// this click is confirmed with its primary action; no other dialog ever is.
pub async fn switch_off(page: &Page<'_>, marker: Marker, steps: &Steps) -> Result<Switched, Error> {
    let state = settled_switch(page, marker).await?;
    if state.on != Some(true) {
        return Ok(Switched::Off);
    }
    let dialogs_before = page.look().await?.visible_count(Marker::ModalDialog);
    steps.step("switching it off");
    page.click_switch(marker).await?;
    let mut confirmed = false;
    loop {
        match after_click(page, marker, dialogs_before, confirmed).await? {
            AfterClick::Done(switched) => return Ok(switched),
            AfterClick::Toast(alert) => {
                return Err(Error::DidNotStick {
                    detail: format!("LinkedIn did not save the change: \"{alert}\""),
                    artifacts: None,
                });
            }
            AfterClick::SnappedBack => {
                return Err(Error::DidNotStick {
                    detail: "LinkedIn did not save the change: the switch went back on".into(),
                    artifacts: None,
                });
            }
            AfterClick::NewDialog if confirmed => {
                return Err(page
                    .not_understood("another dialog opened after confirming the first")
                    .await);
            }
            AfterClick::NewDialog => {
                steps.step("confirming LinkedIn's dialog");
                if !page.confirm_dialog().await? {
                    return Err(page
                        .not_understood(
                            "a dialog opened after clicking the switch, with no primary action the rules know",
                        )
                        .await);
                }
                confirmed = true;
            }
        }
    }
}

/// Waits for the page's answer to the click (or to the confirmation): the switch settled
/// off, an error toast, a switch back on after it moved, a new dialog, or the sign-in page.
async fn after_click(
    page: &Page<'_>,
    marker: Marker,
    dialogs_before: u32,
    confirmed: bool,
) -> Result<AfterClick, Error> {
    const WHAT: &str = "the switch to read off after the click";
    let mut moved = false;
    let answer = wait::until(WHAT, page.timeout, async || {
        let look = match page.look().await {
            Ok(look) => look,
            Err(Error::PageCommand(_)) => return Ok(None),
            Err(err) => return Err(err),
        };
        if signed_out(&look) {
            return Ok(Some(AfterClick::Done(Switched::SignedOut)));
        }
        if look.shows(Marker::ErrorToast) {
            return Ok(Some(AfterClick::Toast(look.alert)));
        }
        let dialog_open = look.visible_count(Marker::ModalDialog) > dialogs_before;
        if dialog_open && !confirmed {
            return Ok(Some(AfterClick::NewDialog));
        }
        let state = match page.switch_state(marker).await {
            Ok(state) if state.count == 1 => state,
            // Gone for a moment: a navigation or a redraw; the next look tells.
            Ok(_) | Err(Error::PageCommand(_)) => return Ok(None),
            Err(err) => return Err(err),
        };
        if !state.settled() || state.on == Some(false) {
            moved = true;
        }
        Ok(match (state.settled(), state.on, dialog_open) {
            (true, Some(false), false) => Some(AfterClick::Done(Switched::Off)),
            (true, Some(true), false) if moved => Some(AfterClick::SnappedBack),
            _ => None,
        })
    })
    .await;
    match answer {
        Ok(answer) => Ok(answer),
        Err(WaitError::Failed(err)) => Err(err),
        Err(WaitError::TimedOut { .. }) => Err(page.timed_out(WHAT, page.timeout).await),
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A look at `path` with `seen` marker counts and `keyed` switches labelled by the key.
    fn look(path: &str, seen: serde_json::Value, keyed: u32, heading: &str) -> Look {
        serde_json::from_value(json!({
            "url": format!("https://www.linkedin.com{path}"),
            "ready": true,
            "status": 200,
            "heading": heading,
            "alert": "",
            "seen": seen,
            "setting_switches": keyed,
            "page_token": null,
        }))
        .unwrap()
    }

    fn ai() -> Switch {
        crate::linkedin::catalogue::Catalogue::built_in()
            .default_switch()
            .clone()
    }

    fn reached(look: &Look) -> Option<Reached> {
        match setting_page(&ai(), look) {
            Some(Shown::Reached(reached)) => Some(reached),
            Some(Shown::ManySwitches(_)) | None => None,
        }
    }

    const SETTING: &str = "/mypreferences/d/settings/data-for-ai-improvement";

    #[test]
    fn the_switch_labelled_by_the_key_wins_among_many_and_anywhere() {
        let many = look(SETTING, json!({"AnySwitch": [3, 3]}), 1, "");
        assert_eq!(reached(&many), Some(Reached::Switch(Marker::SettingSwitch)));
        let elsewhere = look("/mypreferences/d/categories/privacy", json!({}), 1, "");
        assert_eq!(
            reached(&elsewhere),
            Some(Reached::Switch(Marker::SettingSwitch))
        );
    }

    #[test]
    fn a_single_unlabelled_switch_counts_only_when_it_is_alone_on_a_settings_page() {
        let alone = look(SETTING, json!({"AnySwitch": [1, 1]}), 0, "");
        assert_eq!(reached(&alone), Some(Reached::Switch(Marker::AnySwitch)));
        let two = look(SETTING, json!({"AnySwitch": [2, 2]}), 0, "");
        assert!(matches!(
            setting_page(&ai(), &two),
            Some(Shown::ManySwitches(2))
        ));
        let feed = look("/feed/", json!({"AnySwitch": [1, 1]}), 0, "");
        assert!(setting_page(&ai(), &feed).is_none());
    }

    #[test]
    fn a_known_title_without_a_switch_is_not_offered_and_an_unknown_one_is_nothing_yet() {
        let titled = look(SETTING, json!({}), 0, "Datos para mejorar la IA generativa");
        assert_eq!(reached(&titled), Some(Reached::NotOffered));
        let untitled = look(
            SETTING,
            json!({}),
            0,
            "Данные для улучшения генеративного ИИ",
        );
        assert!(setting_page(&ai(), &untitled).is_none());
    }

    #[test]
    fn sign_in_pages_are_told_from_the_pages_around_them() {
        for path in ["/login", "/uas/login", "/authwall", "/checkpoint/lg/login"] {
            assert!(signed_out(&look(path, json!({}), 0, "")), "{path}");
        }
        // The remember-me prompt is served at the sign-in's submit path: not a sign-in page.
        let remember = look("/checkpoint/lg/login-submit", json!({}), 0, "");
        assert!(!signed_out(&remember));
        let password = look("/somewhere", json!({"LoginPassword": [1, 1]}), 0, "");
        assert!(signed_out(&password));
    }

    #[test]
    fn an_interstitial_is_a_signed_in_page_that_is_neither_feed_nor_settings() {
        assert!(interstitial(&look("/check/add-phone", json!({}), 0, "")));
        assert!(interstitial(&look("/premium/upsell", json!({}), 0, "")));
        assert!(!interstitial(&look("/feed/", json!({}), 0, "")));
        assert!(!interstitial(&look("/", json!({}), 0, "")));
        assert!(!interstitial(&look(SETTING, json!({}), 0, "")));
        assert!(!interstitial(&look("/login", json!({}), 0, "")));
        let mut missing = look("/nowhere", json!({}), 0, "");
        missing.status = Some(404);
        assert!(!interstitial(&missing));
    }
}
