//! The encoding of every server function's answer: JSON, read in the browser with
//! `serde_json::from_str`, the same reader Leptos uses for the values a page carries for
//! hydration. With server_fn's own `Json` (which reads with `from_slice`) every answer type
//! had its deserializer compiled into the browser bundle twice, once per reader; with this
//! one, once. The wire format is the same `application/json`.

use leptos::server_fn::codec::{Encoding, Post};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON in, JSON out (see the module's documentation).
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        use serde::de::Error;
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// The output encoding every `#[server(..., output = Answer)]` names.
pub type Answer = Post<JsonText>;

// `Post<JsonText>` must be an `Encoding` for the server function macro.
const _: fn() = || {
    fn is_encoding<E: Encoding>() {}
    is_encoding::<Answer>();
};
