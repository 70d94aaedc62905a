// Copyright: (c) 2026, fabrik.deploy contributors
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
//
// Validates Gutenberg block markup the way the block editor does when it opens a post:
// the WordPress-under-test's own bundles (wp-includes/js/dist) are loaded into jsdom, in the
// order and with the inline scripts WordPress registers them (scripts.php), the core blocks
// registered, and each document parsed with wp.blocks.parse(). A document passes when every
// block and inner block is valid against the current save() (markup that only a deprecated
// save() produced is refused), none is core/missing (unknown block) and no HTML sits outside a
// block (core/freeform). Each document is also serialized back (wp.blocks.serialize), as the
// editor saves it: "reserialized" is null when that gives the document itself, else what the
// editor would store instead.
//
// Input (stdin): JSON [{"name": "...", "content": "<!-- wp:... -->"}, ...]
// Output (stdout): JSON {"wordpress": "6.8.12", "skipped_handles": [...], "load_ms": n, "validate_ms": n,
//                        "results": [{"name", "valid", "blocks", "problems": [...], "reserialized"}]}
// Usage: node validate.js --wordpress /path/to/wordpress < documents.json

"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { JSDOM, VirtualConsole } = require("jsdom");

const ENTRY_HANDLES = ["wp-blocks", "wp-block-library"];

function parseArgs(argv) {
  const options = { wordpress: null };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--wordpress" && i + 1 < argv.length) {
      options.wordpress = argv[i + 1];
      i += 1;
    } else {
      throw new Error("unknown argument: " + argv[i]);
    }
  }
  if (!options.wordpress) throw new Error("--wordpress /path/to/wordpress is required");
  return options;
}

// The scripts WordPress registers for its packages (scripts.php runs WordPress's own registration):
// {handle: {src, deps, before, after}}, and the tree's version.
function readScripts(wordpress) {
  const json = execFileSync("php", [path.join(__dirname, "scripts.php"), wordpress], { encoding: "utf8" });
  return JSON.parse(json);
}

// Handles in load order: every dependency before its dependents (depth-first, as WP_Dependencies).
// Dependencies registered outside the packages (the classic editor's "editor", "media-views" ...,
// which wp-block-library lists for wp-admin) are left out and reported.
function loadOrder(scripts) {
  const order = [];
  const skipped = new Set();
  const state = {};
  const visit = (handle) => {
    if (!(handle in scripts)) {
      skipped.add(handle);
      return;
    }
    if (state[handle] === "done") return;
    if (state[handle] === "visiting") throw new Error("dependency cycle at " + handle);
    state[handle] = "visiting";
    for (const dependency of scripts[handle].deps) visit(dependency);
    state[handle] = "done";
    order.push(handle);
  };
  ENTRY_HANDLES.forEach((handle) => {
    if (!(handle in scripts)) throw new Error("WordPress registers no script " + handle);
    visit(handle);
  });
  return { order, skipped: [...skipped].sort() };
}

function createWindow() {
  // A console with no listener: the block library's validation logs are read from validationIssues.
  const virtualConsole = new VirtualConsole();
  const dom = new JSDOM("<!DOCTYPE html><html><head></head><body></body></html>", {
    runScripts: "outside-only",
    pretendToBeVisual: true,
    url: "http://localhost/",
    virtualConsole,
  });
  const { window } = dom;
  window.matchMedia = window.matchMedia || (() => ({
    matches: false, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {},
  }));
  return window;
}

function loadWordPress(wordpress) {
  const started = Date.now();
  const { version, scripts } = readScripts(wordpress);
  const { order, skipped } = loadOrder(scripts);
  const window = createWindow();
  for (const handle of order) {
    const script = scripts[handle];
    script.before.forEach((code) => window.eval(code));
    window.eval(fs.readFileSync(path.join(wordpress, script.src.replace(/^\/+/, "")), "utf8"));
    script.after.forEach((code) => window.eval(code));
  }
  window.wp.blockLibrary.registerCoreBlocks();
  return { wp: window.wp, version, skipped, loadMs: Date.now() - started };
}

function describeIssue(issue) {
  const [format, ...args] = issue.args || [];
  let index = 0;
  const text = String(format).replace(/%[sdoO]/g, () => {
    const value = args[index];
    index += 1;
    if (typeof value === "string") return value;
    return value && value.name ? value.name : JSON.stringify(value);
  });
  return text.replace(/\s+/g, " ").trim();
}

function outsideBlocks(html) {
  return "HTML outside any block: " + String(html || "").trim().slice(0, 200);
}

function checkBlock(wp, block, where, problems) {
  const label = where + block.name;
  if (block.name === "core/missing") {
    const { originalName, originalContent } = block.attributes;
    problems.push(originalName ? label + ": unknown block " + originalName : outsideBlocks(originalContent));
  } else if (block.name === "core/freeform") {
    problems.push(outsideBlocks(block.attributes.content));
  } else {
    // parse() silently migrates markup an older save() produced (deprecations); validating
    // again against the current save() accepts only what this WordPress itself would write.
    const blockType = wp.blocks.getBlockType(block.name);
    const [valid, issues] = wp.blocks.validateBlock(block, blockType);
    if (!block.isValid || !valid) {
      const expected = wp.blocks.getSaveContent(blockType, block.attributes);
      const first = issues.length ? describeIssue(issues[0]) : "";
      problems.push(label + ": invalid: " + first + " || expected: " + expected);
    }
  }
  block.innerBlocks.forEach((inner, index) => checkBlock(wp, inner, label + "[" + index + "] > ", problems));
}

function countBlocks(block) {
  return 1 + block.innerBlocks.reduce((count, inner) => count + countBlocks(inner), 0);
}

function validateDocument(wp, document) {
  const problems = [];
  const content = String(document.content);
  const blocks = wp.blocks.parse(content);
  blocks.forEach((block, index) => checkBlock(wp, block, "#" + index + " ", problems));
  const count = blocks.reduce((total, block) => total + countBlocks(block), 0);
  if (count === 0) problems.push("no block found");
  // What the editor would store on saving the document unchanged: null when that is the document itself.
  const serialized = wp.blocks.serialize(blocks);
  return {
    name: document.name,
    valid: problems.length === 0,
    blocks: count,
    problems,
    reserialized: serialized === content.trim() ? null : serialized,
  };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const documents = JSON.parse(fs.readFileSync(0, "utf8"));
  if (!Array.isArray(documents)) throw new Error("stdin: a JSON list of {name, content} expected");
  const { wp, version, skipped, loadMs } = loadWordPress(options.wordpress);
  const started = Date.now();
  const results = documents.map((document) => validateDocument(wp, document));
  process.stdout.write(JSON.stringify({
    wordpress: version,
    skipped_handles: skipped,
    load_ms: loadMs,
    validate_ms: Date.now() - started,
    results,
  }, null, 1) + "\n");
  process.exit(results.every((result) => result.valid) ? 0 : 1);
}

try {
  main();
} catch (error) {
  process.stderr.write("validate.js: " + (error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
}
