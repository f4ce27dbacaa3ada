//! Two-step verification codes (RFC 6238) from a stored secret, so a scheduled run can
//! answer LinkedIn's authenticator-app challenge without a person.
//!
//! The secret is either the base32 key LinkedIn shows (spaces and lower case allowed) or an
//! `otpauth://totp/…` URI, whose `algorithm`, `digits` and `period` are honoured; otherwise
//! it is SHA-1, 6 digits, 30 s.

use secrecy::{ExposeSecret as _, SecretString};
use totp_rs::{Builder, Secret, Totp};

use super::SecretError;

/// Checks that a secret can produce codes; run before storing one.
pub fn validate_totp_secret(secret: &SecretString) -> Result<(), SecretError> {
    parse(secret).map(drop)
}

/// The code to type now.
pub fn current_code(secret: &SecretString) -> Result<String, SecretError> {
    Ok(parse(secret)?.generate_current().to_string())
}

fn parse(secret: &SecretString) -> Result<Totp, SecretError> {
    let invalid = |detail: &str| SecretError::TotpInvalid {
        detail: detail.to_string(),
    };
    let text = secret.expose_secret().trim();
    let totp = if text.starts_with("otpauth://") {
        // Unchecked: LinkedIn and older authenticators hand out 80-bit keys, shorter than
        // the 128 bits `from_url` insists on. What would make `generate` panic is checked
        // below instead.
        Totp::from_url_unchecked(text).map_err(|_| {
            invalid("the `otpauth://` URI could not be read; it needs `secret=` in base32")
        })?
    } else {
        let key: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = Secret::try_from_base32(&key).map_err(|_| {
            invalid("it is not base32 (letters A-Z and digits 2-7) nor an `otpauth://` URI")
        })?;
        Builder::new().with_secret(bytes).build_noncompliant()
    };
    if !(6..=8).contains(&totp.digits()) || totp.step() == 0 {
        return Err(invalid(
            "the URI asks for codes of 6 to 8 digits and a period over 0 s",
        ));
    }
    if totp.secret().as_bytes().len() < 10 {
        return Err(invalid(
            "the key is shorter than 80 bits (16 base32 characters)",
        ));
    }
    Ok(totp)
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B: the 20-byte ASCII key "12345678901234567890".
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn code_at(secret: &str, time: u64) -> String {
        parse(&secret.into()).unwrap().generate(time).to_string()
    }

    #[test]
    fn rfc_6238_vectors() {
        // The RFC lists 8 digits; the last 6 are the 6-digit code.
        assert_eq!(code_at(RFC_KEY, 59), "287082");
        assert_eq!(code_at(RFC_KEY, 1_111_111_109), "081804");
        let spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
        assert_eq!(code_at(spaced, 59), "287082");
    }

    #[test]
    fn otpauth_uris_set_the_parameters() {
        let uri = format!("otpauth://totp/LinkedIn:a@example.com?secret={RFC_KEY}&issuer=LinkedIn");
        assert_eq!(code_at(&uri, 59), "287082");
        let eight = format!("otpauth://totp/LinkedIn:a@example.com?secret={RFC_KEY}&digits=8");
        assert_eq!(code_at(&eight, 59), "94287082");
        assert_eq!(current_code(&uri.as_str().into()).unwrap().len(), 6);
    }

    #[test]
    fn invalid_secrets_are_refused() {
        for bad in [
            "",
            "not base32 at all!",
            "JBSWY3DP",
            "otpauth://totp/x?issuer=LinkedIn",
            "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1",
        ] {
            assert!(
                matches!(
                    validate_totp_secret(&bad.into()),
                    Err(SecretError::TotpInvalid { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(validate_totp_secret(&"JBSWY3DPEHPK3PXP".into()).is_ok());
    }
}
