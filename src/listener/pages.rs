//! The pages the seller's browser shows: self-contained, readable on a
//! phone, no script, and everything that came from a request escaped.

/// An HTML page and its status code.
#[derive(Clone, Debug)]
pub struct Page {
    pub status: u16,
    pub html: String,
}

/// What the seller sees once mplink has the tokens.
pub fn linked(user_id: u64, live_mode: bool, name: &str) -> Page {
    let mode = if live_mode { "production" } else { "test" };
    let body = format!(
        "<p>Mercado Pago account <strong>{}</strong> is now linked ({mode} credentials), \
         saved as <code>{}</code>.</p>\
         <p>You can close this tab and return to your terminal.</p>",
        user_id,
        escape(name)
    );
    page(200, "ok", "Account linked", &body)
}

/// The exchange worked but the tokens could not be saved: they are only in
/// the terminal now.
pub fn not_saved(user_id: u64) -> Page {
    let body = format!(
        "<p>Mercado Pago authorized account <strong>{user_id}</strong>, but mplink could not \
         save the tokens on this computer.</p>\
         <p>Return to your terminal now: it shows the tokens and what to do.</p>"
    );
    page(200, "warn", "Linked, but not saved", &body)
}

/// The seller refused, or Mercado Pago sent an error instead of a code.
pub fn refused(error: &str, description: Option<&str>) -> Page {
    let detail = description
        .map(|d| format!("<p>Mercado Pago said: {}</p>", escape(d)))
        .unwrap_or_default();
    let body = format!(
        "<p>The authorization was not granted (<code>{}</code>).</p>{detail}\
         <p>Nothing was linked. You can close this tab; run <code>mplink authorize</code> \
         again to retry.</p>",
        escape(error)
    );
    page(200, "bad", "Not linked", &body)
}

/// The code arrived but could not be exchanged.
pub fn failed(reason: &str) -> Page {
    let body = format!(
        "<p>mplink received the authorization but Mercado Pago did not accept it: {}</p>\
         <p>Nothing was linked. Your terminal says what to do next.</p>",
        escape(reason)
    );
    page(200, "bad", "Not linked", &body)
}

/// A request on the redirect path that does not belong to this attempt.
pub fn rejected(reason: &str) -> Page {
    let body = format!(
        "<p>This address does not belong to the authorization mplink is waiting for: {}.</p>\
         <p>Use the link mplink printed in your terminal.</p>",
        escape(reason)
    );
    page(400, "bad", "Not accepted", &body)
}

pub fn already_done() -> Page {
    let body = "<p>This authorization was already handled. You can close this tab.</p>";
    page(409, "warn", "Already handled", body)
}

pub fn not_found() -> Page {
    page(
        404,
        "bad",
        "Not found",
        "<p>mplink only waits for Mercado Pago's redirect here.</p>",
    )
}

fn page(status: u16, tone: &str, title: &str, body: &str) -> Page {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<title>mplink: {title}</title><style>{STYLE}</style></head>\
<body><main class=\"{tone}\"><h1>{title}</h1>{body}<p class=\"by\">mplink</p></main></body></html>\n"
    );
    Page { status, html }
}

const STYLE: &str = "body{margin:0;font:17px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;\
background:#f4f5f7;color:#1d1d1f}main{max-width:34em;margin:12vh auto;padding:1.5em 1.75em;\
background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002;border-top:6px solid #888}\
.ok{border-color:#00a650}.warn{border-color:#f5a623}.bad{border-color:#e0245e}\
h1{font-size:1.5em;margin:0 0 .5em}code{background:#eef;padding:0 .25em;border-radius:4px;\
word-break:break-all}.by{color:#888;font-size:.8em;margin-top:2em}\
@media (max-width:30em){main{margin:0;border-radius:0;min-height:100vh;box-sizing:border-box}}";

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_names_the_seller_and_the_mode() {
        let page = linked(246813579, false, "246813579-test");
        assert_eq!(page.status, 200);
        assert!(page.html.contains("246813579"));
        assert!(page.html.contains("test credentials"));
        assert!(page.html.contains("close this tab"));
        assert!(linked(1, true, "x").html.contains("production credentials"));
    }

    #[test]
    fn request_text_is_escaped() {
        let page = refused(
            "<script>alert(1)</script>",
            Some("\"><img src=x onerror=1>"),
        );
        assert!(!page.html.contains("<script>alert"));
        assert!(!page.html.contains("<img"));
        assert!(page.html.contains("&lt;script&gt;"));
        assert!(page.html.contains("&quot;&gt;&lt;img"));
    }

    #[test]
    fn pages_are_self_contained() {
        for page in [
            linked(1, true, "x"),
            rejected("bad"),
            not_found(),
            already_done(),
        ] {
            let html = page.html.to_lowercase();
            assert!(!html.contains("<script"), "no script needed");
            assert!(
                !html.contains("http://") && !html.contains("https://"),
                "no external asset"
            );
            assert!(html.contains("name=\"viewport\""), "readable on a phone");
        }
    }
}
