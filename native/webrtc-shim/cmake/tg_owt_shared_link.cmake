# Links the system's static libwebrtc (libtg_owt.a, compiled as position-independent *executable*
# code) into a shared library. The recipe, verified on Debian bookworm (see docs/abi.md):
#  1. a build-time copy of the archive without the two objects that use local-exec TLS
#     (task_queue_base.cc.o, yield_policy.cc.o); src/libwebrtc_tls_overrides.cc redefines them;
#  2. libstdc++/libgcc, every libabsl_*.a and libprotobuf-lite.a linked statically in one group,
#     because the archive reads their data PC-relatively (it must live inside our .so);
#     src/libc_data_for_pie_archive.cc does the same for in6addr_any/in6addr_loopback/stdout/stderr;
#  3. --exclude-libs,ALL, -Bsymbolic, hidden visibility and a version script exporting only dt_*.
# Everything else the archive needs (ssl, crypto, opus, vpx, srtp2, av*, glib, X11, jpeg) stays
# dynamic, taken from tg_owt::tg_owt's own link interface.

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

# The shared libraries of tg_owt's link interface, flattened (its INTERFACE targets wrap a few).
function(_dt_collect_shared_libs target out_var)
  set(result "")
  get_target_property(items ${target} INTERFACE_LINK_LIBRARIES)
  foreach(item IN LISTS items)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
    if(item MATCHES "^tg_owt::" AND TARGET ${item})
      _dt_collect_shared_libs(${item} nested)
      list(APPEND result ${nested})
    elseif(item MATCHES "\\.so$" AND NOT item MATCHES "libprotobuf\\.so$")
      list(APPEND result "${item}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES result)
  set(${out_var} "${result}" PARENT_SCOPE)
endfunction()
_dt_collect_shared_libs(tg_owt::tg_owt DT_TG_OWT_SHARED_LIBS)

function(dt_link_static_libwebrtc target version_script)
  add_dependencies(${target} dt_tg_owt_pic_archive)
  # Compile definitions and include directories of libwebrtc (WEBRTC_POSIX, WEBRTC_LINUX, ...).
  target_link_libraries(${target} PRIVATE tg_owt::libwebrtcbuild tg_owt::libpffft tg_owt::libcrc32c)
  target_link_libraries(${target} PRIVATE
    -Wl,--start-group "${DT_TG_OWT_PIC_ARCHIVE}" ${DT_ABSL_ARCHIVES} "${DT_PROTOBUF_LITE_ARCHIVE}" -Wl,--end-group
    ${DT_TG_OWT_SHARED_LIBS} dl pthread)
  target_link_options(${target} PRIVATE
    -static-libstdc++ -static-libgcc
    -Wl,--exclude-libs,ALL -Wl,-Bsymbolic -Wl,-z,text
    "-Wl,--version-script=${version_script}")
  if(NOT DT_SANITIZE)
    # Every symbol resolved at link time (the sanitizer runtimes come from the executable instead).
    target_link_options(${target} PRIVATE -Wl,-z,defs)
  endif()
endfunction()
