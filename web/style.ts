/**
 * The web app's one style sheet, served as /static/app.css (no inline style anywhere, so the
 * Content-Security-Policy allows styles from this origin only). Readable at 390 px and on a
 * desktop: below 40rem, tables turn into one card per row, each cell labelled by its column
 * (data-label), so no word is broken to fit.
 */
export const APP_CSS = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #c9c9c9; --accent: #0b4f8a; --bad: #a4161a; --ok: #1e6b30; --bg: #fff; --panel: #f4f6f8; }
* { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #f9a825; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem; }
.skip:focus { left: .5rem; }
header.site { background: var(--accent); color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; justify-content: space-between; }
header.site a { color: #fff; }
header.site nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
header.site form { margin: 0; }
header.site button { background: transparent; color: #fff; border: 1px solid #fff; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
p, li { max-width: 48rem; }
.muted { color: var(--muted); }
.who { margin: 0; font-size: .95rem; }
.notice { border-left: .3rem solid var(--accent); background: var(--panel); padding: .75rem 1rem; margin: 1rem 0; }
.notice.error { border-color: var(--bad); }
.notice.ok { border-color: var(--ok); }
.late { color: var(--bad); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--panel); }
td.id, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); padding: .75rem; border-radius: .25rem; }
form.stack { display: grid; gap: .5rem; max-width: 48rem; }
label { font-weight: 600; }
input[type="email"], input[type="text"], input[type="url"], input[type="date"], input[type="datetime-local"], input[type="number"], select, textarea { font: inherit; padding: .4rem; border: 1px solid #767676; border-radius: .2rem; width: 100%; max-width: 48rem; }
textarea { min-height: 18rem; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9rem; }
textarea.short { min-height: 6rem; font-family: inherit; font-size: 1rem; }
button { font: inherit; padding: .45rem 1rem; border-radius: .2rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; min-height: 2.75rem; }
fieldset { border: 1px solid var(--line); padding: .75rem; margin: 0 0 1rem; }
fieldset.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
fieldset.filters div { display: grid; gap: .25rem; }
fieldset.filters input, fieldset.filters select { width: auto; }
ol.timeline { list-style: none; padding: 0; border-left: 2px solid var(--line); margin-left: .5rem; }
ol.timeline li { padding: 0 0 .75rem 1rem; }
ul.inline { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
textarea.short { min-height: 5rem; }
ul.wrap li { overflow-wrap: anywhere; }
article.proposal { border-top: 1px solid var(--line); }
@media (max-width: 40rem) {
  main { padding: .75rem; }
  table, thead, tbody, tr, th, td { display: block; }
  thead tr { position: absolute; left: -9999px; top: -9999px; }
  tr { border: 1px solid var(--line); border-radius: .25rem; margin: 0 0 .75rem; padding: .25rem .5rem; }
  td { border: 0; padding: .2rem 0; }
  td::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: 600; color: var(--muted); }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .5rem; }
}
`;
