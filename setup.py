"""Build kback_core with -O3 and OpenMP when the compiler has it."""
import glob
import os
import shutil
import sys
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import setup, Extension
from setuptools.command.build_ext import build_ext

# Every kback_core/*.pyx is one extension module; the .pxd and .h files are
# shared by all of them.
MODULES = sorted(os.path.basename(p)[:-4] for p in glob.glob('kback_core/*.pyx'))
SHARED = sorted(glob.glob('kback_core/*.pxd') + glob.glob('kback_core/*.h'))


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

    def build_extensions(self):
        use_openmp = os.environ.get('KBACK_NO_OPENMP') is None and \
            compiler_has_openmp(self.compiler)
        if not use_openmp:
            sys.stderr.write('kback: building kback_core WITHOUT OpenMP (single-threaded)\n')
        for ext in self.extensions:
            # sqrt in a loop vectorises only without errno semantics (as -ffast-math would
            # allow, but without giving up IEEE behaviour otherwise).
            ext.extra_compile_args = ['-O3', '-fno-math-errno'] + (['-fopenmp'] if use_openmp else [])
            ext.extra_link_args = ['-fopenmp'] if use_openmp else []
        super().build_extensions()


extensions = [
    Extension(f'kback_core.{name}', [f'kback_core/{name}.pyx'],
              include_dirs=[np.get_include(), 'kback_core'], depends=SHARED,
              define_macros=[('NPY_NO_DEPRECATED_API', 'NPY_1_7_API_VERSION')])
    for name in MODULES
]

setup(
    ext_modules=cythonize(extensions, compiler_directives={'language_level': 3},
                          nthreads=os.cpu_count() or 1),
    cmdclass={'build_ext': BuildExt},
)
