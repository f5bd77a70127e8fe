//! What a long table on any page is made of: headers that sort it by following a link, and
//! a pager with page sizes. Both are plain links carrying the page's whole query, so they
//! work without JavaScript, a sorted and filtered page can be bookmarked, and the database
//! does the sorting (a list holds tens of thousands of prospects). The templates draw them
//! with the macros in `templates/table.html`.

/// The page sizes a pager offers.
pub const PAGE_SIZES: [i64; 4] = [25, 50, 100, 250];

/// How many rows a page shows when the query does not say.
pub const DEFAULT_PAGE_SIZE: i64 = 50;

/// A page's query string, as the page was asked: the base every link of its table changes
/// one or two keys of.
#[derive(Debug, Clone, Default)]
pub struct PageQuery {
    path: String,
    pairs: Vec<(String, String)>,
}

impl PageQuery {
    /// The query of `path` with these keys set; empty values are left out.
    pub fn new(path: impl Into<String>, pairs: &[(&str, String)]) -> PageQuery {
        PageQuery {
            path: path.into(),
            pairs: pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    /// The link to this page with `changes` applied (an empty value removes the key).
    pub fn with(&self, changes: &[(&str, String)]) -> String {
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        pairs.extend(
            changes
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.clone())),
        );
        match serde_urlencoded::to_string(&pairs) {
            Ok(query) if !query.is_empty() => format!("{}?{query}", self.path),
            _ => self.path.clone(),
        }
    }

    /// The value of `key` as asked, or "".
    pub fn get(&self, key: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A column's header: its label and, for a column the table sorts by, the link that sorts
/// it (the other way round when it is the current order).
#[derive(Debug, Clone)]
pub struct Header {
    pub label: &'static str,
    pub href: Option<String>,
    /// `ascending`, `descending` or `none`, for `aria-sort`; "" for a column that does not
    /// sort.
    pub aria_sort: &'static str,
    pub numeric: bool,
}

impl Header {
    /// A header sorting by `key`, given the page's query (its `sort` and `dir` keys); a new
    /// order starts on the first page.
    pub fn sorting(label: &'static str, key: &str, query: &PageQuery) -> Header {
        let current = query.get("sort") == key;
        let descending = query.get("dir") == "desc";
        let (aria_sort, next) = match (current, descending) {
            (true, false) => ("ascending", "desc"),
            (true, true) => ("descending", "asc"),
            (false, _) => ("none", "asc"),
        };
        Header {
            label,
            href: Some(query.with(&[
                ("sort", key.to_string()),
                ("dir", next.to_string()),
                ("page", String::new()),
            ])),
            aria_sort,
            numeric: false,
        }
    }
}

/// Where a page stands among the pages of a table, with the links to move.
#[derive(Debug, Clone)]
pub struct Pager {
    /// 1-based.
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The rows this page shows, 1-based, for "51–100 of 223".
    pub first_row: i64,
    pub last_row: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// Each size offered, its link, and whether it is the current one.
    pub sizes: Vec<(i64, String, bool)>,
}

impl Pager {
    /// The pager of a table of `total` rows shown `size` at a time, on page `page` (moved
    /// into range).
    pub fn new(query: &PageQuery, page: i64, size: i64, total: i64) -> Pager {
        let pages = ((total + size - 1) / size).max(1);
        let page = page.clamp(1, pages);
        let link = |p: i64| query.with(&[("page", p.to_string())]);
        Pager {
            page,
            pages,
            total,
            first_row: if total == 0 { 0 } else { (page - 1) * size + 1 },
            last_row: (page * size).min(total),
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
            sizes: PAGE_SIZES
                .iter()
                .map(|&s| {
                    let href = query.with(&[("size", s.to_string()), ("page", String::new())]);
                    (s, href, s == size)
                })
                .collect(),
        }
    }

    /// The row the page starts at, 0-based: the query's offset.
    pub fn offset(&self, size: i64) -> i64 {
        (self.page - 1) * size
    }
}

/// The page size a query asked for, if it is one offered, else the default.
pub fn page_size(asked: Option<i64>) -> i64 {
    asked
        .filter(|s| PAGE_SIZES.contains(s))
        .unwrap_or(DEFAULT_PAGE_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_query_and_change_one_key() {
        // Arrange
        let query = PageQuery::new(
            "/lists/1",
            &[
                ("status", "dropped".to_string()),
                ("q", "a&b".to_string()),
                ("sort", "name".to_string()),
                ("page", "3".to_string()),
            ],
        );

        // Act
        let header = Header::sorting("Name", "name", &query);
        let other = Header::sorting("Country", "country", &query);
        let pager = Pager::new(&query, 3, 25, 51);

        // Assert: the current column sorts the other way from page 1; the filter stays.
        assert_eq!(header.aria_sort, "ascending");
        assert_eq!(
            header.href.as_deref(),
            Some("/lists/1?status=dropped&q=a%26b&sort=name&dir=desc")
        );
        assert_eq!(other.aria_sort, "none");
        assert_eq!(
            (pager.page, pager.pages, pager.first_row, pager.last_row),
            (3, 3, 51, 51)
        );
        assert_eq!(
            pager.previous.as_deref(),
            Some("/lists/1?status=dropped&q=a%26b&sort=name&page=2")
        );
        assert_eq!(pager.next, None);
        assert_eq!(Pager::new(&query, 9, 25, 0).pages, 1);
        assert_eq!(page_size(Some(7)), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(Some(100)), 100);
    }
}
