//! The project memo, then the code memos (linked to their codes in the
//! codebook section) and the case memos (linked to their cases).

use crate::render::markdown::Markdown;
use crate::render::memos;
use crate::report::contents::Contents;
use crate::report::html::Html;

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    if let Some(book) = &contents.study_memos {
        memos::html(book, h, ("h3", "h4"), true);
    }
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    if let Some(book) = &contents.study_memos {
        memos::markdown(book, md, 3);
    }
}
