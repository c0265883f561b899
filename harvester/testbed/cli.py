"""``harvester testbed serve``: run the fake portal network on loopback until interrupted."""

from __future__ import annotations

import argparse
import sys
import threading

from harvester.cli import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    from harvester.testbed.server import add_arguments

    parser = subparsers.add_parser(
        "testbed", help="deterministic fake government portals on loopback (for tests and demos)",
        description="Deterministic fake government portals (TRS, 大汉, 集约化, county, spam mirror) on "
                    "loopback addresses, with a manifest of every report they hold.")
    commands = parser.add_subparsers(dest="testbed_command", metavar="SUBCOMMAND", required=True)
    serve = commands.add_parser("serve", help="serve the portals until Ctrl-C",
                                description="Serve the test-bed portals until interrupted. Every portal "
                                            "has its own loopback address; all share one port.")
    add_arguments(serve)
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from harvester.testbed.portals import addresses_for
    from harvester.testbed.server import serve_from_args

    try:
        addresses_for(args.host_base)
    except ValueError as error:
        raise CommandError(str(error)) from None
    try:
        testbed = serve_from_args(args)
    except OSError as error:
        raise CommandError(f"cannot listen: {error}") from None
    manifest = testbed.manifest
    out = sys.stdout
    print(f"test bed: seed {manifest['seed']}, generation {manifest['generation']}, port {testbed.port}", file=out)
    for portal in manifest["portals"]:
        columns = ", ".join(c["url"] for c in portal["columns"])
        print(f"  {portal['key']:7} {portal['name']:10} {portal['seed_url']}  (年报: {columns})", file=out)
    spam = [a for a, h in manifest["hosts"].items() if h["role"] == "spam_mirror"]
    print(f"  spam mirror (off scope): {', '.join(spam)}", file=out)
    print(f"  {len(manifest['reports'])} reports, {len(manifest['specials'])} special pages", file=out)
    if args.manifest:
        print(f"  manifest: {args.manifest}", file=out)
    if args.log:
        print(f"  request log: {args.log}", file=out)
    print("Ctrl-C to stop.", file=out, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        testbed.stop()
    return 0
