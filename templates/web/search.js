// The archive's search (search.html): Pagefind's index in pagefind/, queried in the reader's
// browser. Written beside the pages by bot/publish/web.py; the index by bot/publish/search.py.
//
// Results are built as elements from text: nothing from the index becomes markup, so a title
// from a hostile feed stays text here too.

const SHOWN = 20; // results listed for one query: the first are the best matches

const form = document.getElementById("search");
const input = document.getElementById("query");
const status = document.getElementById("status");
const results = document.getElementById("results");
const browse = document.getElementById("browse");
const why = document.getElementById("why");
// Where the archive lives: its top, also when a static host serves it under a sub-path.
const base = new URL(".", document.baseURI);

async function start() {
  let pagefind;
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", base).href);
    await pagefind.options({ baseUrl: base.pathname });
    await pagefind.init();
  } catch {
    why.textContent = "Search is not available: this archive has no search index yet. " +
      "Every article is listed on the index of digests and on the page of its source.";
    why.append(" ", link("index.html", "Open the index of digests."));
    return;
  }
  browse.hidden = true;
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("input", () => find(pagefind, input.value));
  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    await find(pagefind, asked);
  }
}

async function find(pagefind, text) {
  const query = text.trim();
  // The address keeps the query: a search can be bookmarked, shared and reloaded.
  const address = new URL(location.href);
  if (query) address.searchParams.set("q", query); else address.searchParams.delete("q");
  history.replaceState(null, "", address);
  if (!query) {
    results.replaceChildren();
    status.textContent = "";
    return;
  }
  const found = await pagefind.debouncedSearch(query, {}, 250);
  if (found === null) return; // a newer query took its place
  const pages = await Promise.all(found.results.slice(0, SHOWN).map((r) => r.data()));
  if (input.value.trim() !== query) return; // typed on meanwhile
  results.replaceChildren(...pages.map(item));
  const count = found.results.length;
  status.textContent = count === 0 ? `No article found for “${query}”.`
    : `${count} article${count === 1 ? "" : "s"} found for “${query}”` +
      (count > SHOWN ? `; the best ${SHOWN} are listed.` : ".");
}

function item(page) {
  const entry = document.createElement("li");
  const title = document.createElement("h2");
  title.append(link(page.url, page.meta.title || page.url));
  entry.append(title);
  if (page.meta.title_ja) {
    const japanese = document.createElement("p");
    japanese.lang = "ja";
    japanese.className = "ja-title";
    japanese.textContent = page.meta.title_ja;
    entry.append(japanese);
  }
  entry.append(excerpt(page.excerpt));
  return entry;
}

function link(href, text) {
  const anchor = document.createElement("a");
  const target = new URL(href, base);
  anchor.href = target.origin === location.origin ? target.href : base.href;
  anchor.textContent = text;
  return anchor;
}

// Pagefind's excerpt is markup with the matched words in <mark>: only their text is taken.
function excerpt(markup) {
  const paragraph = document.createElement("p");
  paragraph.className = "summary";
  const parsed = document.createElement("template");
  parsed.innerHTML = markup; // an inert template: nothing in it loads or runs
  for (const node of parsed.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent.trimEnd(); // the word, not the space after it
      paragraph.append(mark, node.textContent.slice(mark.textContent.length));
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}

start();
