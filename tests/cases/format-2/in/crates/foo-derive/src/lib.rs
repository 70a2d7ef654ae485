use proc_macro::{TokenStream, TokenTree};

#[proc_macro_derive(Named)]
pub fn named(input: TokenStream) -> TokenStream {
    let mut iter = input.into_iter();
    while let Some(t) = iter.next() {
        if let TokenTree::Ident(i) = &t {
            if i.to_string() == "struct" {
                let name = iter.next().unwrap().to_string();
                return format!("impl {name} {{ pub const NAME: &'static str = \"{name}\"; }}").parse().unwrap();
            }
        }
    }
    panic!("expected a struct")
}
