//! Closed sets of values — a list's status, a contact's standing, a suppression's kind, a
//! reviewer's verdict — each with one spelling, written once. [`values!`] generates, from
//! one table per set: `ALL`, `as_str` (the spelling stored, sent by the API and accepted by
//! the CLI), `label` (the plain words tables and pages show), `Display` (the spelling),
//! `FromStr` (an unknown value is an error naming the set and its values) and serde as the
//! spelling. The store decodes its rows into them at its edge; nothing else spells them.

/// Declares a closed set of values; see the module.
///
/// ```
/// leadgate_core::values! {
///     /// A light's colour.
///     pub enum Light("light") {
///         /// Stop.
///         Red = "red" / "red",
///         Green = "green" / "green, go",
///     }
/// }
/// assert_eq!("green".parse::<Light>(), Ok(Light::Green));
/// assert_eq!(Light::Green.label(), "green, go");
/// assert_eq!("blue".parse::<Light>().unwrap_err(), "unknown light `blue` (one of red, green)");
/// ```
///
/// A set that forgives how people type (`Sales-Lead` for `sales_lead`) names a function
/// that reads the text into a spelling first: `pub enum Role("role", read as loose)`.
#[macro_export]
macro_rules! values {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal $(, read as $norm:path)?) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal / $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The spelling stored, sent and accepted.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// The value in plain words, for tables and pages.
            pub const fn label(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                #[allow(unused_variables)]
                let wanted: &str = text;
                $( let read = $norm(text); let wanted: &str = read.as_ref(); )?
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!("unknown {} `{text}` (one of {})", $what, all.join(", "))
                    })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
