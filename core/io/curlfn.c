#include "curlfn.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

/* The ABI libcurl has kept since 7.16 (2006). */
#define CURLFN_SONAME "libcurl.so.4"

struct curlfn curlfn;

static bool tried;
static struct error load_error;

static void unload(void)
{
	void (*cleanup)(void) = NULL;
	void *lib = dlopen(CURLFN_SONAME, RTLD_NOW | RTLD_NOLOAD);
	if (lib) {
		*(void **)&cleanup = dlsym(lib, "curl_global_cleanup");
		if (cleanup)
			cleanup();
		dlclose(lib);
	}
}

static int load(struct error *err)
{
	void *lib = dlopen(CURLFN_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return error_set(err, "cannot load libcurl (%s): %s; install Debian's libcurl4", CURLFN_SONAME,
				 dlerror());
	static const struct {
		const char *name;
		size_t at;
	} fns[] = {
#define FN(f) { "curl_" #f, offsetof(struct curlfn, f) }
		FN(multi_init), FN(multi_cleanup), FN(multi_add_handle), FN(multi_remove_handle),
		FN(multi_perform), FN(multi_poll), FN(multi_info_read), FN(multi_strerror), FN(multi_setopt),
		FN(easy_init), FN(easy_cleanup), FN(easy_setopt), FN(easy_getinfo), FN(easy_strerror),
		FN(slist_append), FN(slist_free_all),
#undef FN
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		void *f = dlsym(lib, fns[i].name);
		if (!f)
			return error_set(err, "libcurl (%s) has no %s: too old (7.66 or later needed)", CURLFN_SONAME,
					 fns[i].name);
		*(void **)((char *)&curlfn + fns[i].at) = f;
	}
	CURLcode (*init)(long) = NULL;
	*(void **)&init = dlsym(lib, "curl_global_init");
	if (!init || init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error_set(err, "libcurl (%s) would not initialise", CURLFN_SONAME);
	atexit(unload);
	return 0;
}

int curlfn_load(struct error *err)
{
	if (!tried) {
		tried = true;
		if (load(&load_error) != 0)
			load_error.msg[sizeof load_error.msg - 1] = '\0';
		else
			load_error.msg[0] = '\0';
	}
	if (!load_error.msg[0])
		return 0;
	if (err)
		*err = load_error;
	return -1;
}
