//! The hash of values that must hash alike in every process and every build (a page's text,
//! the site's paths, backlinks, interface strings): fixed seeds, unlike the memo's random keys.

use std::hash::Hash;

pub(crate) fn hash(value: impl Hash) -> u64 {
    ahash::RandomState::with_seeds(1, 2, 3, 4).hash_one(value)
}
