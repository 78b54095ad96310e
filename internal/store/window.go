package store

// Window is the slice [from, to) of a list of total items that page (from
// 1) of size rows shows, computed without overflow for any page and size.
func Window(page, size, total int) (from, to int) {
	if size < 1 || total <= 0 {
		return 0, 0
	}
	page = max(page, 1)
	if page-1 > (total-1)/size {
		return total, total
	}
	from = (page - 1) * size
	return from, from + min(size, total-from)
}
