// Copyright: (c) 2026, fabrik.deploy contributors
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
//
// Validates Gutenberg block markup the way the block editor does when it opens a post:
// the WordPress-under-test's own bundles (wp-includes/js/dist) are loaded into jsdom, the core
// blocks registered, and each document parsed with wp.blocks.parse(). A document passes when
// every block and inner block is valid against the current save() (markup that only a
// deprecated save() produced is refused), none is core/missing (unknown block) and no HTML sits
// outside a block (core/freeform).
//
// Input (stdin): JSON [{"name": "...", "content": "<!-- wp:... -->"}, ...]
// Output (stdout): JSON {"wordpress": "6.1.9", "load_ms": n, "validate_ms": n,
//                        "results": [{"name", "valid", "blocks", "problems": [...]}]}
// Usage: node validate.js [--wordpress /usr/share/wordpress] < documents.json

"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { JSDOM, VirtualConsole } = require("jsdom");

const VENDOR_SCRIPTS = {
  lodash: "lodash",
  moment: "moment",
  react: "react",
  "react-dom": "react-dom",
  "regenerator-runtime": "regenerator-runtime",
  "wp-polyfill": "wp-polyfill",
};
// Inline scripts WordPress prints right after a vendor script (wp_default_packages_inline_scripts).
const AFTER_SCRIPT = {
  lodash: "window.lodash = _.noConflict();",
};
const ENTRY_HANDLES = ["wp-blocks", "wp-block-library"];

function parseArgs(argv) {
  const options = { wordpress: "/usr/share/wordpress" };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--wordpress" && i + 1 < argv.length) {
      options.wordpress = argv[i + 1];
      i += 1;
    } else {
      throw new Error("unknown argument: " + argv[i]);
    }
  }
  return options;
}

// script-loader-packages.php returns a PHP array {"blocks.js": {dependencies: [...]}, ...}.
function readPackageDependencies(wordpress) {
  const file = path.join(wordpress, "wp-includes", "assets", "script-loader-packages.php");
  const json = execFileSync("php", ["-r", "echo json_encode(include $argv[1]);", file], { encoding: "utf8" });
  const dependencies = {};
  for (const [fileName, entry] of Object.entries(JSON.parse(json))) {
    dependencies["wp-" + fileName.replace(/\.js$/, "")] = entry.dependencies || [];
  }
  return dependencies;
}

function scriptFile(wordpress, handle, dependencies) {
  const dist = path.join(wordpress, "wp-includes", "js", "dist");
  if (handle in VENDOR_SCRIPTS) {
    return path.join(dist, "vendor", VENDOR_SCRIPTS[handle] + ".min.js");
  }
  if (handle in dependencies) {
    return path.join(dist, handle.slice(3) + ".min.js");
  }
  throw new Error("no script known for handle " + handle);
}

// Handles in load order: every dependency before its dependents (depth-first, as WP_Dependencies).
function loadOrder(dependencies) {
  const order = [];
  const state = {};
  const visit = (handle) => {
    if (state[handle] === "done") return;
    if (state[handle] === "visiting") throw new Error("dependency cycle at " + handle);
    state[handle] = "visiting";
    for (const dependency of dependencies[handle] || []) visit(dependency);
    state[handle] = "done";
    order.push(handle);
  };
  ENTRY_HANDLES.forEach(visit);
  return order;
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
  const dependencies = readPackageDependencies(wordpress);
  const window = createWindow();
  for (const handle of loadOrder(dependencies)) {
    window.eval(fs.readFileSync(scriptFile(wordpress, handle, dependencies), "utf8"));
    if (handle in AFTER_SCRIPT) window.eval(AFTER_SCRIPT[handle]);
  }
  window.wp.blockLibrary.registerCoreBlocks();
  return { wp: window.wp, loadMs: Date.now() - started };
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
    // again against the current save() accepts only what WordPress 6.1 itself would write.
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
  const blocks = wp.blocks.parse(String(document.content));
  blocks.forEach((block, index) => checkBlock(wp, block, "#" + index + " ", problems));
  const count = blocks.reduce((total, block) => total + countBlocks(block), 0);
  if (count === 0) problems.push("no block found");
  return { name: document.name, valid: problems.length === 0, blocks: count, problems };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const documents = JSON.parse(fs.readFileSync(0, "utf8"));
  if (!Array.isArray(documents)) throw new Error("stdin: a JSON list of {name, content} expected");
  const { wp, loadMs } = loadWordPress(options.wordpress);
  const started = Date.now();
  const results = documents.map((document) => validateDocument(wp, document));
  const version = fs.readFileSync(path.join(options.wordpress, "wp-includes", "version.php"), "utf8")
    .match(/\$wp_version = '([^']+)'/);
  process.stdout.write(JSON.stringify({
    wordpress: version ? version[1] : null,
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
