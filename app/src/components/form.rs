//! Form pieces shared by the account pages: a labelled field with its error next to it, and
//! the error of a whole action.

use leptos::prelude::*;

use crate::error::ApiError;

/// The message for `field` in the last result of an action, if it failed on that field.
pub fn field_error<T, S>(result: S, field: &'static str) -> Signal<Option<String>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, ApiError>>> + Copy + Send + Sync + 'static,
{
    Signal::derive(move || match result.get() {
        Some(Err(e)) if e.field() == Some(field) => Some(e.to_string()),
        _ => None,
    })
}

/// The message of a failure that is not about one field.
pub fn form_error<T, S>(result: S) -> Signal<Option<String>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, ApiError>>> + Copy + Send + Sync + 'static,
{
    Signal::derive(move || match result.get() {
        Some(Err(e)) if e.field().is_none() => Some(e.to_string()),
        _ => None,
    })
}

#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    /// The form field's name, when it differs from `id` (two forms on a page with the same
    /// field).
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] on_input: Option<Callback<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=name.unwrap_or(id)
                type=kind
                autocomplete=autocomplete
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                on:input=move |ev| {
                    if let Some(cb) = on_input {
                        cb.run(event_target_value(&ev));
                    }
                }
            />
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <p class="field__error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}
