//! The upload encoding shared by every server function that takes a file (product images,
//! CSV imports, store logos).

/// Multipart form data, exactly as [`MultipartFormData`](leptos::server_fn::codec::MultipartFormData)
/// sends and reads it, except that a request whose body is not multipart (a stray form post,
/// a probe) is refused with an error, where the stock codec would panic on the missing
/// boundary.
pub struct Upload;

impl leptos::server_fn::ContentType for Upload {
    const CONTENT_TYPE: &'static str = "multipart/form-data";
}

impl leptos::server_fn::codec::Encoding for Upload {
    const METHOD: http::Method = http::Method::POST;
}

/// The form's `file` field (its file name and bytes), read as it arrives and refused at
/// `limit` bytes rather than after the whole upload; `None` when the form has no such field.
/// `advice` says what to do with a bigger file.
#[cfg(feature = "ssr")]
pub(crate) async fn read_file(
    data: leptos::server_fn::codec::MultipartData,
    limit: usize,
    advice: &str,
) -> Result<Option<(String, Vec<u8>)>, crate::error::ApiError> {
    Ok(read_form(data, limit, advice).await?.0)
}

/// [`read_file`], and the form's other fields as text (each up to 1 KiB).
#[cfg(feature = "ssr")]
pub(crate) async fn read_form(
    data: leptos::server_fn::codec::MultipartData,
    limit: usize,
    advice: &str,
) -> Result<(Option<(String, Vec<u8>)>, Vec<(String, String)>), crate::error::ApiError> {
    use crate::error::ApiError;
    let unreadable = |e: multer::Error| {
        tracing::info!(error = %e, "unreadable upload");
        ApiError::validation(
            "file",
            "the upload could not be read completely; it may be larger than the server accepts",
        )
    };
    let mut form = data
        .into_inner()
        .ok_or_else(|| ApiError::validation("file", "the upload did not arrive as a form"))?;
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            let name = field.name().unwrap_or("").to_owned();
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if text.len() + chunk.len() > 1024 {
                    return Err(ApiError::validation("file", "a form field is too long"));
                }
                text.extend_from_slice(&chunk);
            }
            fields.push((name, String::from_utf8_lossy(&text).into_owned()));
            continue;
        }
        let name = field.file_name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::validation(
                    "file",
                    format!(
                        "the file is larger than the hub imports at once ({} MB); {advice}",
                        limit / 1_000_000
                    ),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((name, bytes));
    }
    Ok((file, fields))
}

/// Whether a request's content type is multipart form data with a boundary.
pub(crate) fn is_multipart(content_type: Option<&str>) -> bool {
    #[cfg(feature = "ssr")]
    {
        content_type.is_some_and(|ct| multer::parse_boundary(ct).is_ok())
    }
    #[cfg(not(feature = "ssr"))]
    {
        content_type.is_some()
    }
}

/// Implements [`Upload`] for a server function's input struct (which holds a single
/// `MultipartData`) by delegating to the stock multipart codec. Any server function of the
/// crate can use it:
///
/// ```ignore
/// #[server(prefix = "/api", endpoint = "...", input = crate::upload::Upload, input_derive = ())]
/// pub async fn upload_thing(data: MultipartData) -> Result<String, ApiError> { ... }
/// crate::upload::upload_codec!(UploadThing);
/// ```
macro_rules! upload_codec {
    ($input:ty) => {
        impl<E, Request> leptos::server_fn::codec::IntoReq<$crate::upload::Upload, Request, E>
            for $input
        where
            Request: leptos::server_fn::request::ClientReq<
                    E,
                    FormData = leptos::server_fn::request::browser::BrowserFormData,
                >,
            E: leptos::server_fn::error::FromServerFnError,
        {
            fn into_req(self, path: &str, accepts: &str) -> Result<Request, E> {
                <leptos::server_fn::codec::MultipartData as leptos::server_fn::codec::IntoReq<
                    leptos::server_fn::codec::MultipartFormData,
                    Request,
                    E,
                >>::into_req(self.into(), path, accepts)
            }
        }

        impl<E, Request> leptos::server_fn::codec::FromReq<$crate::upload::Upload, Request, E>
            for $input
        where
            Request: leptos::server_fn::request::Req<E> + Send + 'static,
            E: leptos::server_fn::error::FromServerFnError + Send + Sync,
        {
            async fn from_req(req: Request) -> Result<Self, E> {
                if !$crate::upload::is_multipart(req.to_content_type().as_deref()) {
                    return Err(E::from_server_fn_error(
                        leptos::server_fn::error::ServerFnErrorErr::Args(
                            "send the file as multipart/form-data".into(),
                        ),
                    ));
                }
                <Self as leptos::server_fn::codec::FromReq<
                    leptos::server_fn::codec::MultipartFormData,
                    Request,
                    E,
                >>::from_req(req)
                .await
            }
        }
    };
}

pub(crate) use upload_codec;
