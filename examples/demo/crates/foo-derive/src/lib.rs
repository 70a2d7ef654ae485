//! `foo::derive`: a proc-macro child, used as `#[derive(foo::derive::Hello)]`.

use proc_macro::{TokenStream, TokenTree};

/// Adds `fn hello() -> String` naming the type.
#[proc_macro_derive(Hello)]
pub fn derive_hello(input: TokenStream) -> TokenStream {
    let mut tokens = input.into_iter();
    let mut name = None;
    while let Some(token) = tokens.next() {
        if let TokenTree::Ident(ident) = &token {
            let keyword = ident.to_string();
            if keyword == "struct" || keyword == "enum" {
                name = tokens.next().map(|t| t.to_string());
                break;
            }
        }
    }
    let name = name.expect("#[derive(Hello)] goes on a struct or an enum");
    format!("impl {name} {{ pub fn hello() -> String {{ format!(\"hello from {name}\") }} }}")
        .parse()
        .expect("valid impl")
}
