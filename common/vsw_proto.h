/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire constants of the control protocol shared by the dataplane, the tools and (later)
 * the controller. The protocol itself is described in docs/protocol.md.
 */
#ifndef VSW_PROTO_H
#define VSW_PROTO_H

#define VSW_PROTO_VERSION 1
#define VSW_DATAPLANE_SOCK "/run/vsw/dataplane.sock"
#define VSW_PROTO_MAX_LINE 65536 /* bytes of one request line, newline included */
#define VSW_PROTO_MAX_CLIENTS 16

#endif
