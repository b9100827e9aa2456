// Package all registers every client adapter; import it for its side effect.
package all

import (
	_ "aisync/backend/clients/amazonq"
	_ "aisync/backend/clients/claude-code"
	_ "aisync/backend/clients/claude-desktop"
	_ "aisync/backend/clients/cline"
	_ "aisync/backend/clients/codex"
	_ "aisync/backend/clients/continuedev"
	_ "aisync/backend/clients/copilot-cli"
	_ "aisync/backend/clients/cursor"
	_ "aisync/backend/clients/gemini"
	_ "aisync/backend/clients/goose"
	_ "aisync/backend/clients/kiro"
	_ "aisync/backend/clients/opencode"
	_ "aisync/backend/clients/roo"
	_ "aisync/backend/clients/vscode"
	_ "aisync/backend/clients/windsurf"
	_ "aisync/backend/clients/zed"
)
