// Runs the YAML language server's own validation and hover on policy files, as an editor would.
// Usage: node language_server.js ROOT < requests.json > results.json
//   requests: {"settings": ".vscode/settings.json", "documents": [{"path": "policies/x.yaml", "text": "...",
//              "hovers": [[line, column], ...]}]}   (lines and columns 1-based; a path is relative to ROOT)
//   results:  [{"path": ..., "diagnostics": [[line, column, message], ...], "hovers": [text or null, ...]}]
// The schemas come from the `yaml.schemas` of the settings file, read the way VS Code passes them on:
// a relative schema path is taken from ROOT, each glob is matched anywhere in a file's path.
// YAML_LANGUAGE_SERVER names the folder of the npm package `yaml-language-server`.
const fs = require('fs');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');

const server = process.env.YAML_LANGUAGE_SERVER;
const { getLanguageService } = require(path.join(server, 'lib/umd/languageservice/yamlLanguageService'));
const { TextDocument } = require(require.resolve('vscode-languageserver-textdocument', { paths: [server] }));

const root = path.resolve(process.argv[2]);
const requests = JSON.parse(fs.readFileSync(0, 'utf8'));
const settings = JSON.parse(fs.readFileSync(path.join(root, requests.settings), 'utf8'));
const schemas = Object.entries(settings['yaml.schemas'] || {}).map(([uri, globs]) => ({
  uri: /^[a-z]+:/.test(uri) ? uri : pathToFileURL(path.join(root, uri)).href,
  fileMatch: Array.isArray(globs) ? globs : [globs],
}));
const service = getLanguageService({
  schemaRequestService: (uri) => Promise.resolve(fs.readFileSync(fileURLToPath(uri), 'utf8')),
  workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
});
service.configure({ validate: true, hover: true, completion: true, schemas });

(async () => {
  const results = [];
  let version = 0; // the server caches a parse by URI and version: a new text is a new version
  for (const request of requests.documents) {
    const uri = pathToFileURL(path.join(root, request.path)).href;
    const document = TextDocument.create(uri, 'yaml', ++version, request.text);
    const diagnostics = (await service.doValidation(document, false)).map((d) => [
      d.range.start.line + 1,
      d.range.start.character + 1,
      d.message,
    ]);
    const hovers = [];
    for (const [line, column] of request.hovers || []) {
      const hover = await service.doHover(document, { line: line - 1, character: column - 1 });
      hovers.push(hover ? hover.contents.value : null);
    }
    results.push({ path: request.path, diagnostics, hovers });
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String(error.stack || error));
  process.exit(1);
});
