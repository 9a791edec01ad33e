"""The language server (`spec-check lsp`, docs/editors.md): the front end's diagnostics, names
and printer behind the Language Server Protocol, over pygls (the `lsp` extra).

`workspace.py` keeps the editor's unsaved texts and finds the model a file belongs to;
`navigate.py` answers definition, references, hover, outline and completion from the resolved
names; `server.py` wires them to pygls. Only `server.py` imports pygls and lsprotocol.
"""
