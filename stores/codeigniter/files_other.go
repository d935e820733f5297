//go:build !unix

package codeigniter

import "errors"

type filesHandler struct{ dir string }

func (filesHandler) open(App) (Store, error) {
	return nil, errors.New("codeigniter: Files needs a Unix system: its lock is PHP's flock(2)")
}
