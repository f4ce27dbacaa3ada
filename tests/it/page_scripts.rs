//! A page on which one of the tool's own scripts throws (the page broke a built-in the script
//! relies on, as an old polyfill can): the wait stops at once as "page not understood"
//! (exit 6) with what the browser saw saved, instead of looking again until `--timeout`.
//! No simulator page can make a script of the tool throw, so a real Chromium loads such a
//! page and the library's wait is driven directly.

use std::time::Duration;

use linkedin_optout::browser::{BrowserKind, SessionOptions, WebDriver};
use linkedin_optout::error::{Error, exit};
use linkedin_optout::linkedin::catalogue::Catalogue;
use linkedin_optout::linkedin::page::{Page, browser_error};
use tokio_util::sync::CancellationToken;
use url::Url;

const BROKEN_PAGE: &str = "data:text/html,<title>Settings</title><script>performance.getEntriesByType = () => { throw new TypeError('broken by the page') }</script><main><h1>Data for Generative AI Improvement</h1></main>";

#[tokio::test(flavor = "multi_thread")]
async fn a_script_that_throws_fails_the_wait_at_once_with_artifacts() {
    let artifacts = tempfile::tempdir().unwrap();
    let driver = WebDriver::start(None, BrowserKind::Chrome, &[], None)
        .await
        .expect("chromedriver starts (apt-get install chromium-driver)");
    // Long enough that a wait retrying the failed look would end as a timeout, named as one.
    let timeout = Duration::from_secs(60);
    let options = SessionOptions {
        browser: BrowserKind::Chrome,
        headed: false,
        timeout,
    };
    let looked = driver
        .session(options, &CancellationToken::new(), async |client| {
            client.goto(BROKEN_PAGE).await.map_err(browser_error)?;
            let page = Page {
                client,
                base: Url::parse("http://127.0.0.1:9/").unwrap(),
                timeout,
                artifacts_dir: artifacts.path().to_path_buf(),
                account: "a@example.com".into(),
                switch: Catalogue::built_in().default_switch().clone(),
            };
            Ok(page.settled_look().await.map(|_| ()))
        })
        .await;
    driver.stop();
    let err = looked.expect("the session ran").unwrap_err();
    let message = err.to_string();
    let Error::PageNotUnderstood {
        what,
        artifacts: Some(dir),
        ..
    } = &err
    else {
        panic!("not a page not understood with artifacts: {err:?}");
    };
    assert!(
        what.contains("script that looks at the page failed")
            && what.contains("broken by the page"),
        "{message}"
    );
    assert!(!message.contains("gave up waiting"), "{message}");
    assert_eq!(err.exit_code(), exit::PAGE_NOT_UNDERSTOOD);
    for saved in ["page.png", "page.html", "page.skeleton.html"] {
        assert!(
            dir.join(saved).is_file(),
            "{saved} not saved in {}",
            dir.display()
        );
    }
}
