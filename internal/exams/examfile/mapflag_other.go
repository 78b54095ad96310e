//go:build unix && !linux

package examfile

const mapPopulate = 0
