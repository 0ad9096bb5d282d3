# Links the system's static libwebrtc (libtg_owt.a, compiled as position-independent *executable*
# code) into a shared library. The recipe, verified on Debian bookworm (see docs/abi.md):
#  1. a build-time copy of the archive without the two objects that use local-exec TLS
#     (task_queue_base.cc.o, yield_policy.cc.o); src/libwebrtc_tls_overrides.cc redefines them;
#  2. libstdc++ (libgcc stays shared, see glibc_compat.cmake), every libabsl_*.a and libprotobuf-lite.a linked statically in one group,
#     because the archive reads their data PC-relatively (it must live inside our .so);
#     src/libc_data_for_pie_archive.cc does the same for in6addr_any/in6addr_loopback/stdout/stderr;
#  3. --exclude-libs,ALL, -Bsymbolic, hidden visibility and a version script exporting only dt_*;
#  4. portability (docs/packaging.md): OpenSSL, libsrtp2 and libopus linked from their static
#     archives (libssl-dev, libsrtp2-dev, libopus-dev), so the library needs nothing but glibc
#     (libsrtp2's NSS backend runs on libcrypto, see dt_srtp_crypto below);
#     every other shared library of tg_owt's link interface (vpx, av*, glib, X11, jpeg) is left out:
#     the code we use does not reach them, and -z defs proves it at link time. glibc_compat.cmake
#     then keeps the glibc symbol versions at or below the floor.

get_target_property(_dt_tg_owt_archive tg_owt::tg_owt IMPORTED_LOCATION_NONE)
if(NOT _dt_tg_owt_archive)
  get_target_property(_dt_tg_owt_archive tg_owt::tg_owt LOCATION)
endif()
if(NOT EXISTS "${_dt_tg_owt_archive}")
  message(FATAL_ERROR "libtg_owt.a not found (tg_owt::tg_owt location: '${_dt_tg_owt_archive}')")
endif()

set(DT_TG_OWT_PIC_ARCHIVE "${CMAKE_BINARY_DIR}/libtg_owt_for_shared.a")
add_custom_command(
  OUTPUT "${DT_TG_OWT_PIC_ARCHIVE}"
  COMMAND "${CMAKE_COMMAND}" -E copy "${_dt_tg_owt_archive}" "${DT_TG_OWT_PIC_ARCHIVE}.tmp"
  COMMAND "${CMAKE_AR}" d "${DT_TG_OWT_PIC_ARCHIVE}.tmp" task_queue_base.cc.o yield_policy.cc.o
  COMMAND "${CMAKE_COMMAND}" -E rename "${DT_TG_OWT_PIC_ARCHIVE}.tmp" "${DT_TG_OWT_PIC_ARCHIVE}"
  DEPENDS "${_dt_tg_owt_archive}"
  COMMENT "Copying libtg_owt.a without its local-exec TLS objects"
  VERBATIM)
add_custom_target(dt_tg_owt_pic_archive DEPENDS "${DT_TG_OWT_PIC_ARCHIVE}")

# Static absl (all of it: the archive's needs cross many absl components) and protobuf-lite.
get_filename_component(_dt_libdir "${_dt_tg_owt_archive}" DIRECTORY)
file(GLOB DT_ABSL_ARCHIVES "${_dt_libdir}/libabsl_*.a")
if(NOT DT_ABSL_ARCHIVES)
  message(FATAL_ERROR "No static absl archives (libabsl_*.a) next to ${_dt_tg_owt_archive}: install libabsl-dev")
endif()
find_library(DT_PROTOBUF_LITE_ARCHIVE NAMES libprotobuf-lite.a REQUIRED)

# The static archives that replace the shared libraries of tg_owt's link interface.
set(DT_STATIC_DEPENDENCIES "")
foreach(_dt_dep IN ITEMS ssl crypto srtp2 opus)
  find_library(DT_STATIC_${_dt_dep} NAMES lib${_dt_dep}.a)
  if(NOT DT_STATIC_${_dt_dep})
    message(FATAL_ERROR "lib${_dt_dep}.a not found: install libssl-dev, libsrtp2-dev and libopus-dev")
  endif()
  list(APPEND DT_STATIC_DEPENDENCIES "${DT_STATIC_${_dt_dep}}")
endforeach()
# libssl before libcrypto, both after libsrtp2 (which uses libcrypto): one group resolves any order.

# Debian builds libsrtp2 with its NSS crypto backend and NSS has no static library: the few NSS
# functions libsrtp calls are implemented on the static libcrypto (src/libsrtp_nss_on_openssl.cc;
# NSS's headers, from libnss3-dev, only to get the types right). tests/srtp_crypto_test.cc checks
# them with libsrtp's known-answer tests.
find_package(PkgConfig REQUIRED)
pkg_check_modules(DT_NSS_HEADERS REQUIRED nss)
add_library(dt_srtp_crypto OBJECT "${PROJECT_SOURCE_DIR}/src/libsrtp_nss_on_openssl.cc")
target_include_directories(dt_srtp_crypto SYSTEM PRIVATE ${DT_NSS_HEADERS_INCLUDE_DIRS})
set_target_properties(dt_srtp_crypto PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden)

include("${CMAKE_CURRENT_LIST_DIR}/glibc_compat.cmake")

function(dt_link_static_libwebrtc target version_script)
  add_dependencies(${target} dt_tg_owt_pic_archive)
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:dt_srtp_crypto>)
  # Compile definitions and include directories of libwebrtc (WEBRTC_POSIX, WEBRTC_LINUX, ...).
  target_link_libraries(${target} PRIVATE tg_owt::libwebrtcbuild tg_owt::libpffft tg_owt::libcrc32c)
  target_link_libraries(${target} PRIVATE
    -Wl,--start-group "${DT_TG_OWT_PIC_ARCHIVE}" ${DT_ABSL_ARCHIVES} "${DT_PROTOBUF_LITE_ARCHIVE}"
    ${DT_STATIC_DEPENDENCIES} -Wl,--end-group
    dl pthread)
  target_link_options(${target} PRIVATE
    -static-libstdc++
    -Wl,--as-needed -Wl,--exclude-libs,ALL -Wl,-Bsymbolic -Wl,-z,text -Wl,--build-id=sha1
    "-Wl,--version-script=${version_script}")
  dt_keep_glibc_floor(${target})
  if(NOT DT_SANITIZE)
    # Every symbol resolved at link time (the sanitizer runtimes come from the executable instead).
    target_link_options(${target} PRIVATE -Wl,-z,defs)
  endif()
endfunction()
