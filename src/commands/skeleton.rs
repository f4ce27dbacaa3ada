//! `skeleton FILE`: the redaction a failed run saves as `page.skeleton.html`, of a page the
//! member saved by hand, on standard output.

use crate::cli::SkeletonArgs;
use crate::error::{Error, exit};
use crate::output::{Document, Output};

pub fn exec(output: &Output, args: &SkeletonArgs) -> Result<u8, Error> {
    let bytes = std::fs::read(&args.file).map_err(|err| {
        Error::Usage(format!(
            "cannot read {}: {err}; pass a page saved from the browser (File > Save Page As, \"HTML only\")",
            args.file.display()
        ))
    })?;
    let text = crate::skeleton::html_text(&bytes).map_err(|what| {
        Error::Usage(format!(
            "{} is not an HTML page ({what}): pass a page saved from the browser (File > Save Page As, \"HTML only\")",
            args.file.display()
        ))
    })?;
    output.print(&Document::new(
        "skeleton",
        crate::skeleton::redact(text, crate::linkedin::rules::skeleton_knowledge()),
    ));
    Ok(exit::OFF)
}
