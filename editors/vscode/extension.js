// VS Code client for the spec-check language server (`spec-check lsp`, docs/editors.md).
// Plain CommonJS, no build step. Highlighting comes from syntaxes/spec.tmLanguage.json;
// everything else (diagnostics, hover, definitions, references, outline, formatting,
// completion) from the server, started with the command in `specCheck.serverCommand`.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

const DEFAULT_COMMAND = ['spec-check', 'lsp'];

/** @type {LanguageClient | undefined} */
let client;

function serverCommand() {
  const command = vscode.workspace.getConfiguration('specCheck').get('serverCommand', DEFAULT_COMMAND);
  const valid = Array.isArray(command) && command.length > 0 &&
    command.every((part) => typeof part === 'string') && command[0] !== '';
  if (!valid) {
    vscode.window.showErrorMessage(
      'spec-check: specCheck.serverCommand must be a non-empty array of strings, such as ["spec-check", "lsp"]; using the default.');
    return DEFAULT_COMMAND;
  }
  return command;
}

async function startClient() {
  const [command, ...args] = serverCommand();
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'spec' }],
  };
  client = new LanguageClient('specCheck', 'spec-check', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    vscode.window.showErrorMessage(
      `spec-check: could not start the language server with "${[command, ...args].join(' ')}": ${message}. ` +
      'Install it with pip install \'spec-check[lsp]\' or set specCheck.serverCommand.');
  }
}

async function stopClient() {
  const running = client;
  client = undefined;
  if (running !== undefined && running.isRunning()) {
    await running.stop();
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (event.affectsConfiguration('specCheck.serverCommand')) {
      await stopClient();
      await startClient();
    }
  }));
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
