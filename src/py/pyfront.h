#ifndef DODO_PYFRONT_H
#define DODO_PYFRONT_H

/* The dodo.py front-end: embedded CPython loads task files and runs Python actions. This
 * header is free of <Python.h>; only src/py/ includes it. */

struct loader;

#define DODO_VERSION "0.1.0"

/* The loader for dodo.py files (static; argv becomes sys.argv). */
struct loader *pyfront_loader(int argc, char **argv);

#endif
