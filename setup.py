"""Build kback_core: Cython + OpenMP, one extension module per kback_core/*.pyx.

Where the build time goes (and why it is set up this way; numbers in the README):
- Cython's memoryview support code was compiled into every module, more than half of
  each C file: it is generated once, into the shared module kback_core._cyutility.
- Debug info (`-g` from Python's CFLAGS) cost a quarter of gcc's time and most of the
  .so size: built with -g0 and linked stripped.
- cythonize runs when build_ext runs, not at import of this file, so pip's metadata
  and the sdist steps do not run it.
Each compiled module prints one line, so `pip install -v .` shows progress.
"""
import glob
import os
import shutil
import sys
import tempfile
import time

from setuptools import setup, Extension
from setuptools.command.build_ext import build_ext

# Every kback_core/*.pyx is one extension module; the .pxd and .h files are
# shared by all of them.
MODULES = sorted(os.path.basename(p)[:-4] for p in glob.glob('kback_core/*.pyx'))
SHARED = sorted(glob.glob('kback_core/*.pxd') + glob.glob('kback_core/*.h'))
# Cython generates this one (memoryviews, buffer format checks) for all modules.
CYTHON_UTILITY = 'kback_core._cyutility'


def compiler_has_openmp(compiler):
    """Compile and link a tiny OpenMP program with the build's C compiler."""
    source = '#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n'
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, 'check_openmp.c')
        with open(path, 'w') as f:
            f.write(source)
        objects = compiler.compile([path], output_dir=tmp, extra_postargs=['-fopenmp'])
        compiler.link_executable(objects, os.path.join(tmp, 'check_openmp'),
                                 extra_postargs=['-fopenmp'])
        return True
    except Exception:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class BuildExt(build_ext):
    def finalize_options(self):
        super().finalize_options()
        # The modules are independent: compile them on all cores (pip's build
        # otherwise runs one gcc at a time).
        if not self.parallel:
            self.parallel = os.cpu_count() or 1

    def run(self):
        # Cythonize here, not at import nor in finalize_options: the sdist and
        # pip's metadata step must not generate (or need) the C files.
        from Cython.Build import cythonize
        import numpy as np
        for ext in self.extensions:
            ext.include_dirs = [np.get_include(), 'kback_core']
        generated = cythonize(
            self.extensions, compiler_directives={'language_level': 3},
            shared_utility_qualified_name=CYTHON_UTILITY, nthreads=os.cpu_count() or 1)
        # Keep setuptools' Extension objects (finalize_options annotated them);
        # only their sources change, from .pyx to the generated .c.
        c_sources = {ext.name: ext.sources for ext in generated}
        for ext in self.extensions:
            ext.sources = c_sources[ext.name]
        super().run()

    def build_extensions(self):
        use_openmp = os.environ.get('KBACK_NO_OPENMP') is None and \
            compiler_has_openmp(self.compiler)
        if not use_openmp:
            sys.stderr.write('kback: building kback_core WITHOUT OpenMP (single-threaded)\n')
        openmp = ['-fopenmp'] if use_openmp else []
        for ext in self.extensions:
            # sqrt in a loop vectorises only without errno semantics (as -ffast-math would
            # allow, but without giving up IEEE behaviour otherwise).
            ext.extra_compile_args = ['-O3', '-g0', '-fno-math-errno'] + openmp
            ext.extra_link_args = ['-s'] + openmp
        # Largest first, so that the last module to finish is a small one.
        self.extensions.sort(key=lambda e: -os.path.getsize(e.sources[0]))
        self._done = 0
        super().build_extensions()

    def build_extension(self, ext):
        start = time.perf_counter()
        super().build_extension(ext)
        self._done += 1
        print(f'kback: built {ext.name} ({self._done}/{len(self.extensions)}, '
              f'{time.perf_counter() - start:.1f} s)', flush=True)


extensions = [
    Extension(f'kback_core.{name}', [f'kback_core/{name}.pyx'], depends=SHARED,
              define_macros=[('NPY_NO_DEPRECATED_API', 'NPY_1_7_API_VERSION')])
    for name in MODULES
] + [Extension(CYTHON_UTILITY, [CYTHON_UTILITY.replace('.', '/') + '.c'])]

setup(
    ext_modules=extensions,
    cmdclass={'build_ext': BuildExt},
)
