//! The YAML body of a spec: parsing it for a kind, and mapping errors back to its lines.

use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor,
};

use crate::FigureError;
use crate::names;

/// The keys the dispatcher reads from every spec, so no kind declares them.
const COMMON: [&str; 2] = ["kind", "caption"];

/// The YAML body, kept to map fields back to lines.
pub(crate) struct Source<'a> {
    pub text: &'a str,
}

impl Source<'_> {
    /// Parses the body into a kind's spec struct, without the [`COMMON`] keys.
    pub fn parse<S: DeserializeOwned>(&self) -> Result<S, FigureError> {
        serde_saphyr::from_str::<WithoutCommon<S>>(self.text)
            .map(|w| w.0)
            .map_err(|e| self.yaml_error(&e))
    }

    /// The 0-based line where `field` is written as a key: top level first, then nested.
    pub fn line_of(&self, field: &str) -> usize {
        let is_key = |l: &str| {
            let l = l.trim_start().trim_start_matches("- ");
            l.strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        };
        let lines: Vec<&str> = self.text.lines().collect();
        lines
            .iter()
            .position(|l| !l.starts_with([' ', '\t', '-']) && is_key(l))
            .or_else(|| lines.iter().position(|l| is_key(l)))
            .unwrap_or(0)
    }

    /// The line of a list item `item` under `field` (inline or block list).
    pub fn line_of_item(&self, field: &str, item: &str) -> usize {
        let start = self.line_of(field);
        self.text
            .lines()
            .enumerate()
            .skip(start)
            .find(|(_, l)| l.contains(item.trim()))
            .map_or(start, |(i, _)| i)
    }

    pub fn error(&self, field: &str, message: impl Into<String>) -> FigureError {
        FigureError {
            line: self.line_of(field),
            field: Some(field.to_string()),
            message: message.into(),
            hint: None,
        }
    }

    /// An error in the expression `text` written under `field`.
    pub fn expr_error(&self, field: &str, text: &str, e: crate::expr::ParseError) -> FigureError {
        FigureError {
            hint: e.hint,
            ..self.error(
                field,
                format!("cannot parse `{text}` at character {}: {}", e.at + 1, e.message),
            )
        }
    }

    /// The key written on a 0-based line, if that line is `key: …` or `- key: …`.
    fn key_on_line(&self, line: usize) -> Option<String> {
        let l = self.text.lines().nth(line)?.trim_start().trim_start_matches("- ");
        let (key, _) = l.split_once(':')?;
        let ok = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        ok.then(|| key.to_string())
    }

    pub fn yaml_error(&self, e: &serde_saphyr::Error) -> FigureError {
        use serde_saphyr::Error as E;
        let line = e
            .location()
            .map_or(0, |l| usize::try_from(l.line()).unwrap_or(1).saturating_sub(1));
        let (field, message, hint) = match e.without_snippet() {
            E::SerdeUnknownField { field, expected, .. } => {
                // A key at the top level (not indented, not a list item) may also be a common one.
                let top = self
                    .text
                    .lines()
                    .nth(line)
                    .is_some_and(|l| !l.starts_with([' ', '\t', '-']));
                let common = if top { &COMMON[..] } else { &[] };
                let all: Vec<&str> = common.iter().chain(expected.iter()).copied().collect();
                (
                    Some(field.clone()),
                    format!("unknown field `{field}`; fields: {}", all.join(", ")),
                    names::hint(field, &all),
                )
            }
            E::SerdeMissingField { field, .. } => (
                Some((*field).to_string()),
                format!("missing field `{field}`"),
                None,
            ),
            E::SerdeUnknownVariant {
                variant, expected, ..
            } => (
                self.key_on_line(line),
                format!("unknown value `{variant}`; one of: {}", expected.join(", ")),
                names::hint(variant, expected),
            ),
            other => (self.key_on_line(line), plain_message(other), None),
        };
        FigureError {
            line,
            field,
            message,
            hint,
        }
    }
}

/// serde-saphyr's message without its "at line …" suffix, since the line is reported apart.
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML");
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// Checks a `[lo, hi]` range field.
pub(crate) fn check_range(src: &Source, field: &str, r: [f64; 2]) -> Result<(f64, f64), FigureError> {
    let [lo, hi] = r;
    if !lo.is_finite() || !hi.is_finite() {
        return Err(src.error(field, "range bounds must be finite numbers"));
    }
    if lo >= hi {
        return Err(src.error(
            field,
            format!("empty or inverted range [{lo}, {hi}]: write [low, high] with low < high"),
        ));
    }
    Ok((lo, hi))
}

/// A kind's spec read from a body whose top-level map may also hold the [`COMMON`] keys: they
/// are skipped before the spec's own `deny_unknown_fields` sees them, and every other key,
/// value and error (with its line) passes through untouched.
struct WithoutCommon<S>(S);

impl<'de, S: Deserialize<'de>> Deserialize<'de> for WithoutCommon<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        S::deserialize(SkipCommon(d)).map(WithoutCommon)
    }
}

/// A deserializer that hands a struct's visitor a map without the [`COMMON`] keys.
struct SkipCommon<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for SkipCommon<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, SkipVisitor(visitor))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

struct SkipVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for SkipVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(SkipMap(map))
    }
}

struct SkipMap<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for SkipMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.0.next_key::<String>()? {
            if COMMON.contains(&key.as_str()) {
                self.0.next_value::<de::IgnoredAny>()?;
            } else {
                return seed.deserialize(key.into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}
