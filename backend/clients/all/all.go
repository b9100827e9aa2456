// Package all registers every client adapter; import it for its side effect.
package all

import ()
