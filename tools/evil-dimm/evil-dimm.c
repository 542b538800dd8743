// SPDX-License-Identifier: MIT
//
// evil-dimm: simulate a bad DIMM under a QEMU guest.
//
// QEMU guest RAM backed by a shared file (memory-backend-file, share=on)
// is visible to any host process that maps the same file.  This tool maps
// it and applies fault models (leaky cells, stuck bits) at guest physical
// addresses, translated to file offsets through QEMU's own memory map.

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PROG "evil-dimm"
#define EXIT_BAD_INPUT 2
#define MAX_MAP 64
#define MAX_FAULTS 256
#define MONITOR_CONNECT_TIMEOUT_MS 5000
#define MONITOR_REPLY_TIMEOUT_MS 10000

enum fault_kind { FAULT_LEAK, FAULT_STUCK, FAULT_REGION };

struct map_entry {
	uint64_t start; // guest physical, inclusive
	uint64_t end;   // guest physical, inclusive
	uint64_t offset; // file offset of start
};

struct fault {
	enum fault_kind kind;
	uint64_t addr;
	uint64_t len;     // region: bytes, a multiple of 8
	unsigned bit;
	uint64_t hold_ns;
	double p;
	unsigned charged; // leak: value the cell holds while charged
	unsigned value;   // stuck: forced value
	double after_s;

	uint64_t file_off;
	volatile uint64_t *word;

	bool active;
	bool in_period;     // leak: inside a charge period
	bool leak_this;     // leak: decision for the current period
	uint64_t period_start_ns;
	uint64_t flips;
};

static struct map_entry map[MAX_MAP];
static size_t map_len;
static struct fault faults[MAX_FAULTS];
static size_t fault_len;

static FILE *log_fp;
static uint64_t start_ns;
static uint64_t rng_state;
static volatile sig_atomic_t stop_signal;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_BAD_INPUT);
}

static void usage(FILE *out)
{
	fputs(
	"usage: " PROG " --file PATH [options] --fault SPEC [--fault SPEC ...]\n"
	"\n"
	"Inject DRAM faults into a QEMU guest whose RAM is a shared file\n"
	"(-object memory-backend-file,id=mem,mem-path=PATH,share=on).\n"
	"\n"
	"Address map (guest physical -> file offset), pick at most one source:\n"
	"  --monitor SOCK        ask QEMU's HMP monitor (-monitor unix:SOCK,server,nowait)\n"
	"                        for 'info mtree -f'\n"
	"  --mtree FILE          parse saved 'info mtree -f' output\n"
	"  --map S-E@OFF         hex, inclusive end; may repeat\n"
	"  (none)                identity map over the whole file, with a warning\n"
	"  --backend ID          memory backend id to treat as RAM (default: mem)\n"
	"  --print-map           print the resolved map and exit\n"
	"\n"
	"Faults (addr: guest physical address of an aligned 64-bit LE word):\n"
	"  --fault leak,addr=A,bit=N[,hold_ms=200][,p=1.0][,charged=1][,after_s=0]\n"
	"  --fault stuck,addr=A,bit=N,value=0|1[,after_s=0]\n"
	"  --fault region,addr=A,len=L,bit=N,value=0|1[,after_s=0]\n"
	"                        the bit stuck in every word of [A, A+L): a dead\n"
	"                        data line or column (L a multiple of 8)\n"
	"\n"
	"Other options:\n"
	"  --file PATH           the RAM backing file\n"
	"  --poll-us N           poll interval in microseconds (default: 200)\n"
	"  --seed N              seed for leak probabilities (default: from clock)\n"
	"  --duration S          exit after S seconds (default: until SIGINT/SIGTERM)\n"
	"  --ready-file PATH     create PATH once faults are armed\n"
	"  --log FILE            event log (default: stdout)\n"
	"  --help                show this help\n"
	"\n"
	"Exit status: 0 on success, 2 on bad input or setup failure.\n",
	out);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double elapsed_s(uint64_t t)
{
	return (double)(t - start_ns) / 1e9;
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void log_line(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", log_fp);
	va_start(ap, fmt);
	vfprintf(log_fp, fmt, ap);
	va_end(ap);
	fputc('\n', log_fp);
	fflush(log_fp);
}

// splitmix64: tiny, good enough to drive a Bernoulli draw.
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool rng_chance(double p)
{
	if (p >= 1.0)
		return true;
	if (p <= 0.0)
		return false;
	return (double)(rng_next() >> 11) * 0x1.0p-53 < p;
}

// ---- number parsing ----------------------------------------------------

// Digits in `base` to the end of the string; strtoull alone accepts signs and spaces.
static bool parse_digits(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_hex(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return parse_digits(s, 16, out);
}

// Hex with 0x, otherwise decimal: a leading 0 must not silently mean octal.
static bool parse_u64(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(s, out);
	return parse_digits(s, 10, out);
}

static bool parse_double(const char *s, double *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

// ---- address map -------------------------------------------------------

static void map_add(uint64_t start, uint64_t end, uint64_t offset, const char *what)
{
	if (end < start)
		die("%s: end 0x%" PRIx64 " below start 0x%" PRIx64, what, end, start);
	if (offset + (end - start) < offset)
		die("%s: offset range overflows", what);
	for (size_t i = 0; i < map_len; i++) {
		if (start <= map[i].end && map[i].start <= end)
			die("%s: range 0x%" PRIx64 "-0x%" PRIx64 " overlaps 0x%" PRIx64 "-0x%" PRIx64,
			    what, start, end, map[i].start, map[i].end);
	}
	if (map_len == MAX_MAP)
		die("%s: more than %d map entries", what, MAX_MAP);
	map[map_len++] = (struct map_entry){ start, end, offset };
}

static int map_cmp(const void *a, const void *b)
{
	const struct map_entry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

// Sort, then join neighbours contiguous in both address and offset so the
// printed map does not depend on how QEMU happened to split a region.
static void map_normalize(void)
{
	size_t n = 0;

	qsort(map, map_len, sizeof(map[0]), map_cmp);
	for (size_t i = 0; i < map_len; i++) {
		if (n && map[n - 1].end + 1 == map[i].start &&
		    map[n - 1].offset + (map[n - 1].end - map[n - 1].start) + 1 == map[i].offset) {
			map[n - 1].end = map[i].end;
			continue;
		}
		map[n++] = map[i];
	}
	map_len = n;
}

static void parse_map_arg(const char *arg)
{
	char buf[256];
	char *dash, *at;
	uint64_t start, end, off;

	if (strlen(arg) >= sizeof(buf))
		die("--map %s: too long", arg);
	strcpy(buf, arg);
	dash = strchr(buf, '-');
	at = strchr(buf, '@');
	if (!dash || !at || at < dash)
		die("--map %s: expected GPA_START-GPA_END@OFFSET", arg);
	*dash = *at = '\0';
	if (!parse_hex(buf, &start) || !parse_hex(dash + 1, &end) || !parse_hex(at + 1, &off))
		die("--map %s: bad hex number", arg);
	map_add(start, end, off, "--map");
}

// One line of a flat view:
//   "  0000000000100000-000000007fffffff (prio 0, ram): mem @0000000000100000"
// Returns true and fills the fields if it is a range line.
static bool parse_range_line(const char *line, uint64_t *start, uint64_t *end,
			     char *name, size_t name_size, uint64_t *off)
{
	const char *p = line, *colon, *q;
	char *e;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!isxdigit((unsigned char)*p))
		return false;
	errno = 0;
	*start = strtoull(p, &e, 16);
	if (errno || *e != '-')
		return false;
	p = e + 1;
	*end = strtoull(p, &e, 16);
	if (errno || e == p || strncmp(e, " (", 2))
		return false;
	colon = strstr(e, "): ");
	if (!colon)
		return false;
	p = colon + 3;
	q = strstr(p, " @");
	n = q ? (size_t)(q - p) : strcspn(p, "\r\n");
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	if (n == 0 || n >= name_size)
		return false;
	memcpy(name, p, n);
	name[n] = '\0';
	*off = 0;
	if (q) {
		errno = 0;
		*off = strtoull(q + 2, &e, 16);
		if (errno || e == q + 2)
			return false;
	}
	return true;
}

// Pick the ranges of `backend` from the first flat view that serves the
// system address space (AS "memory"); SMM, I/O and bus-master views differ.
static void parse_mtree_text(char *text, const char *backend, const char *src)
{
	bool in_view = false, found_view = false, done = false;
	size_t added = 0;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line && !done;
	     line = strtok_r(NULL, "\n", &save)) {
		uint64_t s, e, off;
		char name[128];

		if (strstr(line, "FlatView #")) {
			if (in_view)
				done = true;
			continue;
		}
		if (strstr(line, "AS \"memory\",") && !found_view) {
			in_view = found_view = true;
			continue;
		}
		if (!in_view)
			continue;
		if (!parse_range_line(line, &s, &e, name, sizeof(name), &off))
			continue;
		if (strcmp(name, backend))
			continue;
		map_add(s, e, off, src);
		added++;
	}
	if (!found_view)
		die("%s: no flat view for AS \"memory\" found", src);
	if (!added)
		die("%s: no ranges of backend '%s' in AS \"memory\"", src, backend);
}

static char *read_whole_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		die("--mtree %s: %s", path, strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("--mtree %s: read error", path);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int monitor_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t deadline = now_ns() + (uint64_t)MONITOR_CONNECT_TIMEOUT_MS * 1000000u;

	if (strlen(path) >= sizeof(sa.sun_path))
		die("--monitor %s: path too long", path);
	strcpy(sa.sun_path, path);
	// QEMU may still be starting: wait for the socket to appear.
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		int err = errno;
		close(fd);
		if ((err != ENOENT && err != ECONNREFUSED) || now_ns() > deadline)
			die("--monitor %s: %s", path, strerror(err));
		usleep(100 * 1000);
	}
}

// Read until the HMP prompt shows up at the start of a line at or after
// `from`; returns the prompt's index in *buf.
static size_t monitor_read_prompt(int fd, char **buf, size_t *len, size_t *cap,
				  size_t from, uint64_t deadline, const char *path)
{
	static const char prompt[] = "(qemu) ";

	for (;;) {
		for (size_t i = from; i + sizeof(prompt) - 1 <= *len; i++) {
			if ((i == 0 || (*buf)[i - 1] == '\n') &&
			    !memcmp(*buf + i, prompt, sizeof(prompt) - 1))
				return i;
		}
		uint64_t now = now_ns();
		if (now >= deadline)
			die("--monitor %s: timed out waiting for the (qemu) prompt", path);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
		if (r < 0 && errno != EINTR)
			die("--monitor %s: poll: %s", path, strerror(errno));
		if (r <= 0)
			continue;
		if (*cap - *len < 4096) {
			*cap = *cap ? *cap * 2 : 65536;
			*buf = realloc(*buf, *cap);
			if (!*buf)
				die("out of memory");
		}
		ssize_t got = read(fd, *buf + *len, *cap - *len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die("--monitor %s: read: %s", path, strerror(errno));
		if (got == 0)
			die("--monitor %s: connection closed by QEMU", path);
		*len += (size_t)got;
		(*buf)[*len] = '\0';
	}
}

static void load_map_from_monitor(const char *path, const char *backend)
{
	static const char cmd[] = "info mtree -f\n";
	int fd = monitor_connect(path);
	uint64_t deadline = now_ns() + (uint64_t)MONITOR_REPLY_TIMEOUT_MS * 1000000u;
	char *buf = NULL;
	size_t len = 0, cap = 0, greet, reply, end;

	greet = monitor_read_prompt(fd, &buf, &len, &cap, 0, deadline, path);
	reply = greet + 7;
	size_t sent = 0;
	while (sent < sizeof(cmd) - 1) {
		ssize_t w = write(fd, cmd + sent, sizeof(cmd) - 1 - sent);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("--monitor %s: write: %s", path, strerror(errno));
		sent += (size_t)w;
	}
	end = monitor_read_prompt(fd, &buf, &len, &cap, reply, deadline, path);
	close(fd);
	buf[end] = '\0';
	parse_mtree_text(buf + reply, backend, "--monitor");
	free(buf);
}

static bool map_translate(uint64_t pa, uint64_t *off)
{
	for (size_t i = 0; i < map_len; i++) {
		// The whole word must lie in one range.
		if (pa >= map[i].start && pa <= map[i].end && map[i].end - pa >= 7) {
			*off = map[i].offset + (pa - map[i].start);
			return true;
		}
	}
	return false;
}

// ---- faults ------------------------------------------------------------

static const char *kind_name(enum fault_kind k)
{
	return k == FAULT_LEAK ? "leak" : k == FAULT_STUCK ? "stuck" : "region";
}

static void parse_fault(const char *arg)
{
	struct fault f = { .hold_ns = 200000000u, .p = 1.0, .charged = 1 };
	bool have_addr = false, have_bit = false, have_value = false;
	char buf[512], seen[16][16];
	size_t nseen = 0;
	char *save = NULL, *tok;

	if (fault_len == MAX_FAULTS)
		die("--fault: more than %d faults", MAX_FAULTS);
	if (strlen(arg) >= sizeof(buf))
		die("--fault %s: too long", arg);
	strcpy(buf, arg);

	tok = strtok_r(buf, ",", &save);
	if (!tok)
		die("--fault '%s': empty spec", arg);
	if (!strcmp(tok, "leak"))
		f.kind = FAULT_LEAK;
	else if (!strcmp(tok, "stuck"))
		f.kind = FAULT_STUCK;
	else if (!strcmp(tok, "region"))
		f.kind = FAULT_REGION;
	else
		die("--fault %s: unknown kind '%s' (leak, stuck or region)", arg, tok);

	while ((tok = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(tok, '=');
		uint64_t u;
		double d;

		if (!eq || eq == tok)
			die("--fault %s: expected key=value, got '%s'", arg, tok);
		*eq = '\0';
		const char *key = tok, *val = eq + 1;

		for (size_t i = 0; i < nseen; i++)
			if (!strcmp(seen[i], key))
				die("--fault %s: key '%s' given twice", arg, key);
		if (nseen < 16 && strlen(key) < sizeof(seen[0]))
			strcpy(seen[nseen++], key);

		if (!strcmp(key, "addr")) {
			if (!parse_u64(val, &f.addr))
				die("--fault %s: bad addr '%s'", arg, val);
			have_addr = true;
		} else if (!strcmp(key, "bit")) {
			if (!parse_u64(val, &u) || u > 63)
				die("--fault %s: bit must be 0..63, got '%s'", arg, val);
			f.bit = (unsigned)u;
			have_bit = true;
		} else if (!strcmp(key, "after_s")) {
			if (!parse_double(val, &d) || d < 0)
				die("--fault %s: bad after_s '%s'", arg, val);
			f.after_s = d;
		} else if (f.kind == FAULT_LEAK && !strcmp(key, "hold_ms")) {
			if (!parse_u64(val, &u) || u > UINT64_MAX / 1000000u)
				die("--fault %s: bad hold_ms '%s'", arg, val);
			f.hold_ns = u * 1000000u;
		} else if (f.kind == FAULT_LEAK && !strcmp(key, "p")) {
			if (!parse_double(val, &d) || d < 0 || d > 1)
				die("--fault %s: p must be in [0,1], got '%s'", arg, val);
			f.p = d;
		} else if (f.kind == FAULT_LEAK && !strcmp(key, "charged")) {
			if (strcmp(val, "0") && strcmp(val, "1"))
				die("--fault %s: charged must be 0 or 1, got '%s'", arg, val);
			f.charged = (unsigned)(val[0] - '0');
		} else if (f.kind == FAULT_REGION && !strcmp(key, "len")) {
			if (!parse_u64(val, &f.len) || !f.len || (f.len & 7) || f.len > (1ull << 40))
				die("--fault %s: len must be a non-zero multiple of 8, got '%s'", arg, val);
		} else if (f.kind != FAULT_LEAK && !strcmp(key, "value")) {
			if (strcmp(val, "0") && strcmp(val, "1"))
				die("--fault %s: value must be 0 or 1, got '%s'", arg, val);
			f.value = (unsigned)(val[0] - '0');
			have_value = true;
		} else {
			die("--fault %s: unknown key '%s' for %s", arg, key, kind_name(f.kind));
		}
	}
	if (!have_addr)
		die("--fault %s: addr= is required", arg);
	if (!have_bit)
		die("--fault %s: bit= is required", arg);
	if (f.kind != FAULT_LEAK && !have_value)
		die("--fault %s: value= is required for %s", arg, kind_name(f.kind));
	if (f.kind == FAULT_REGION && !f.len)
		die("--fault %s: len= is required for region", arg);
	if (f.kind == FAULT_REGION && f.addr + f.len < f.addr)
		die("--fault %s: range overflows", arg);
	if (f.addr & 7)
		die("--fault %s: addr 0x%" PRIx64 " is not 8-byte aligned", arg, f.addr);
	faults[fault_len++] = f;
}

static void resolve_faults(bool size_known, uint64_t file_size)
{
	for (size_t i = 0; i < fault_len; i++) {
		struct fault *f = &faults[i];

		if (!map_translate(f->addr, &f->file_off))
			die("fault %s addr=0x%" PRIx64 ": not in any mapped RAM range",
			    kind_name(f->kind), f->addr);
		if (f->kind == FAULT_REGION) {
			// One contiguous stretch of the file, or the words would be scattered.
			uint64_t last;
			uint64_t end = f->addr + f->len - 8;
			if (!map_translate(end, &last) || last - f->file_off != end - f->addr)
				die("fault region addr=0x%" PRIx64 " len=0x%" PRIx64
				    ": not one contiguous mapped RAM range", f->addr, f->len);
			if (size_known && (last > file_size || file_size - last < 8))
				die("fault region addr=0x%" PRIx64 ": end beyond the file", f->addr);
		}
		if (size_known && (f->file_off > file_size || file_size - f->file_off < 8))
			die("fault %s addr=0x%" PRIx64 ": file offset 0x%" PRIx64
			    " beyond file size 0x%" PRIx64,
			    kind_name(f->kind), f->addr, f->file_off, file_size);
	}
}

static void log_armed(const struct fault *f)
{
	if (f->kind == FAULT_LEAK)
		log_line("armed leak addr=0x%" PRIx64 " bit=%u off=0x%" PRIx64
			 " hold_ms=%" PRIu64 " p=%g charged=%u after_s=%g",
			 f->addr, f->bit, f->file_off, f->hold_ns / 1000000u, f->p,
			 f->charged, f->after_s);
	else if (f->kind == FAULT_REGION)
		log_line("armed region addr=0x%" PRIx64 " len=0x%" PRIx64 " bit=%u off=0x%" PRIx64
			 " value=%u after_s=%g",
			 f->addr, f->len, f->bit, f->file_off, f->value, f->after_s);
	else
		log_line("armed stuck addr=0x%" PRIx64 " bit=%u off=0x%" PRIx64
			 " value=%u after_s=%g",
			 f->addr, f->bit, f->file_off, f->value, f->after_s);
}

// Change only our bit with one locked RMW so guest stores to the other
// bits of the word in the meantime are never overwritten.  Returns true
// if the bit actually changed (the guest may have beaten us to it).
static bool set_bit_atomic(volatile uint64_t *w, unsigned bit, unsigned val)
{
	uint64_t mask = 1ull << bit, old;

	if (val)
		old = __atomic_fetch_or(w, mask, __ATOMIC_SEQ_CST);
	else
		old = __atomic_fetch_and(w, ~mask, __ATOMIC_SEQ_CST);
	return ((old >> bit) & 1) != val;
}

static void step_leak(struct fault *f, unsigned cur, uint64_t t)
{
	if (cur != f->charged) {
		f->in_period = false;
		return;
	}
	if (!f->in_period) {
		f->in_period = true;
		f->period_start_ns = t;
		f->leak_this = rng_chance(f->p);
		return;
	}
	if (!f->leak_this || t - f->period_start_ns <= f->hold_ns)
		return;
	// The cell lost its charge; it stays so until rewritten charged.
	f->in_period = false;
	if (set_bit_atomic(f->word, f->bit, !f->charged)) {
		f->flips++;
		log_line("t=%.3f leak addr=0x%" PRIx64 " bit=%u %u->%u", elapsed_s(t),
			 f->addr, f->bit, f->charged, !f->charged);
	}
}

static void step_stuck(struct fault *f, unsigned cur, uint64_t t)
{
	if (cur == f->value)
		return;
	if (set_bit_atomic(f->word, f->bit, f->value)) {
		f->flips++;
		log_line("t=%.3f stuck addr=0x%" PRIx64 " bit=%u forced %u", elapsed_s(t),
			 f->addr, f->bit, f->value);
	}
}

// Every word of the range: a plain read first, the locked RMW only for a
// word whose bit the guest has just set the other way.
static void step_region(struct fault *f, uint64_t t)
{
	uint64_t mask = 1ull << f->bit, n = f->len / 8, forced = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = __atomic_load_n(&f->word[i], __ATOMIC_RELAXED);
		if (((v & mask) != 0) != f->value && set_bit_atomic(&f->word[i], f->bit, f->value))
			forced++;
	}
	if (forced && !f->flips)
		log_line("t=%.3f region addr=0x%" PRIx64 " len=0x%" PRIx64 " bit=%u first forced %u",
			 elapsed_s(t), f->addr, f->len, f->bit, f->value);
	f->flips += forced;
}

static void poll_faults(uint64_t t)
{
	for (size_t i = 0; i < fault_len; i++) {
		struct fault *f = &faults[i];

		if (!f->active) {
			if (elapsed_s(t) < f->after_s)
				continue;
			f->active = true;
			if (f->after_s > 0)
				log_line("t=%.3f %s addr=0x%" PRIx64 " bit=%u active", elapsed_s(t),
					 kind_name(f->kind), f->addr, f->bit);
		}
		if (f->kind == FAULT_REGION) {
			step_region(f, t);
			continue;
		}
		unsigned cur = (unsigned)((__atomic_load_n(f->word, __ATOMIC_ACQUIRE) >> f->bit) & 1);
		if (f->kind == FAULT_LEAK)
			step_leak(f, cur, t);
		else
			step_stuck(f, cur, t);
	}
}

// ---- main --------------------------------------------------------------

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	// No SA_RESTART: the sleep must return early so we exit promptly.
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void create_ready_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char line[32];
	int n;

	if (fd < 0)
		die("--ready-file %s: %s", path, strerror(errno));
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)n) != n)
		die("--ready-file %s: write failed", path);
	close(fd);
}

enum {
	OPT_FILE = 256, OPT_MONITOR, OPT_MTREE, OPT_BACKEND, OPT_MAP, OPT_PRINT_MAP,
	OPT_FAULT, OPT_POLL_US, OPT_SEED, OPT_DURATION, OPT_READY, OPT_LOG, OPT_HELP,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, OPT_FILE },
		{ "monitor", required_argument, NULL, OPT_MONITOR },
		{ "mtree", required_argument, NULL, OPT_MTREE },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "print-map", no_argument, NULL, OPT_PRINT_MAP },
		{ "fault", required_argument, NULL, OPT_FAULT },
		{ "poll-us", required_argument, NULL, OPT_POLL_US },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "ready-file", required_argument, NULL, OPT_READY },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *monitor = NULL, *mtree = NULL, *backend = "mem";
	const char *ready = NULL, *log_path = NULL;
	bool print_map = false, have_seed = false, have_duration = false;
	uint64_t poll_us = 200, seed = 0;
	double duration = 0;
	int opt;

	start_ns = now_ns();
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_FILE: file = optarg; break;
		case OPT_MONITOR: monitor = optarg; break;
		case OPT_MTREE: mtree = optarg; break;
		case OPT_BACKEND:
			if (!*optarg)
				die("--backend: empty id");
			backend = optarg;
			break;
		case OPT_MAP: parse_map_arg(optarg); break;
		case OPT_PRINT_MAP: print_map = true; break;
		case OPT_FAULT: parse_fault(optarg); break;
		case OPT_POLL_US:
			if (!parse_u64(optarg, &poll_us) || poll_us == 0 || poll_us > 10000000u)
				die("--poll-us: expected 1..10000000, got '%s'", optarg);
			break;
		case OPT_SEED:
			if (!parse_u64(optarg, &seed))
				die("--seed: bad number '%s'", optarg);
			have_seed = true;
			break;
		case OPT_DURATION:
			// Upper bound keeps the nanosecond deadline inside 64 bits.
			if (!parse_double(optarg, &duration) || duration < 0 || duration > 1e9)
				die("--duration: expected 0..1e9 seconds, got '%s'", optarg);
			have_duration = true;
			break;
		case OPT_READY: ready = optarg; break;
		case OPT_LOG: log_path = optarg; break;
		case OPT_HELP: usage(stdout); return 0;
		default:
			if (optopt)
				die("option needs an argument or takes none: %s", argv[optind - 1]);
			die("unknown option: %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die("unexpected argument: %s", argv[optind]);
	if ((monitor != NULL) + (mtree != NULL) + (map_len != 0) > 1)
		die("use only one of --monitor, --mtree, --map");
	if (!print_map && !file)
		die("--file is required (see --help)");
	if (!print_map && fault_len == 0)
		die("no --fault given (see --help)");

	if (mtree) {
		char *text = read_whole_file(mtree);
		parse_mtree_text(text, backend, "--mtree");
		free(text);
	} else if (monitor) {
		load_map_from_monitor(monitor, backend);
	}

	int fd = -1;
	uint64_t file_size = 0;
	if (file) {
		struct stat st;

		fd = open(file, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			die("--file %s: %s", file, strerror(errno));
		if (fstat(fd, &st) < 0)
			die("--file %s: %s", file, strerror(errno));
		if (!S_ISREG(st.st_mode) || st.st_size <= 0)
			die("--file %s: not a non-empty regular file", file);
		file_size = (uint64_t)st.st_size;
	}
	if (map_len == 0) {
		if (!file)
			die("no map source and no --file to build an identity map from");
		fprintf(stderr, PROG ": warning: no --monitor/--mtree/--map given, "
			"assuming guest physical address == file offset\n");
		map_add(0, file_size - 1, 0, "identity map");
	}
	map_normalize();
	resolve_faults(file != NULL, file_size);

	if (print_map) {
		for (size_t i = 0; i < map_len; i++)
			printf("map 0x%" PRIx64 "-0x%" PRIx64 " @0x%" PRIx64 "\n",
			       map[i].start, map[i].end, map[i].offset);
		return 0;
	}

	if (log_path) {
		log_fp = fopen(log_path, "w");
		if (!log_fp)
			die("--log %s: %s", log_path, strerror(errno));
	} else {
		log_fp = stdout;
	}
	setvbuf(log_fp, NULL, _IOLBF, 0);

	// A stale ready file from an earlier run must not look like "live".
	if (ready && unlink(ready) < 0 && errno != ENOENT)
		die("--ready-file %s: %s", ready, strerror(errno));

	if (file_size > SIZE_MAX)
		die("--file %s: too large to map", file);
	uint8_t *base = mmap(NULL, (size_t)file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		die("--file %s: mmap: %s", file, strerror(errno));
	close(fd);

	if (!have_seed)
		seed = start_ns ^ ((uint64_t)getpid() << 32);
	rng_state = seed;
	install_signals();

	log_line("start file=%s size=0x%" PRIx64 " poll_us=%" PRIu64 " seed=%" PRIu64,
		 file, file_size, poll_us, seed);
	for (size_t i = 0; i < map_len; i++)
		log_line("map 0x%" PRIx64 "-0x%" PRIx64 " @0x%" PRIx64,
			 map[i].start, map[i].end, map[i].offset);
	for (size_t i = 0; i < fault_len; i++) {
		faults[i].word = (volatile uint64_t *)(base + faults[i].file_off);
		log_armed(&faults[i]);
	}
	if (ready)
		create_ready_file(ready);

	uint64_t stop_at = have_duration ? start_ns + (uint64_t)(duration * 1e9) : UINT64_MAX;
	struct timespec tick = { .tv_sec = (time_t)(poll_us / 1000000u),
				 .tv_nsec = (long)(poll_us % 1000000u) * 1000 };
	for (;;) {
		uint64_t t = now_ns();

		if (stop_signal || t >= stop_at)
			break;
		poll_faults(t);
		nanosleep(&tick, NULL);
	}

	if (stop_signal)
		log_line("t=%.3f stop signal=%d", elapsed_s(now_ns()), (int)stop_signal);
	else
		log_line("t=%.3f stop duration", elapsed_s(now_ns()));
	for (size_t i = 0; i < fault_len; i++)
		log_line("summary %s addr=0x%" PRIx64 " bit=%u flips=%" PRIu64,
			 kind_name(faults[i].kind), faults[i].addr, faults[i].bit, faults[i].flips);
	munmap(base, (size_t)file_size);
	if (log_fp != stdout)
		fclose(log_fp);
	return 0;
}
