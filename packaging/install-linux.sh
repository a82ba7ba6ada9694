#!/bin/sh
# VSM Studio for this user, from the unpacked folder this script sits in (it is the archive's
# install.sh; packaging/build.py puts it there). No root needed; nothing leaves this folder but
# small files:
#   - the menu entry, ~/.local/share/applications/vsm-studio.desktop, running this folder's
#     vsm-editor;
#   - the .vsm file type, ~/.local/share/mime/packages/vsm-studio.xml, opened by that entry;
#   - the icons, ~/.local/share/icons/hicolor/*/apps/vsm-studio.*;
#   - `vsm` and `vsm-editor` in ~/.local/bin, links to this folder's.
# The desktop's caches are refreshed with update-mime-database, update-desktop-database and
# gtk-update-icon-cache where they are installed. After moving the folder, run it again.
#
#   ./install.sh              register
#   ./install.sh --uninstall  remove what it registered
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
desktop=vsm-studio.desktop
mime_type=$(sed -n 's/.*<mime-type type="\([^"]*\)".*/\1/p' "$here/share/mime/packages/vsm-studio.xml")

refresh() {
    if command -v update-mime-database >/dev/null 2>&1; then
        update-mime-database "$data/mime" || true
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data/applications" || true
    fi
    # A cache left there by another program would hide new icons: rebuild it; with none, the
    # folder's new time tells the desktop to look again.
    if [ -f "$data/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
    elif [ -d "$data/icons/hicolor" ]; then
        touch "$data/icons/hicolor"
    fi
}

unlink_ours() {  # a link in ~/.local/bin that points into this folder
    if [ -L "$bin/$1" ] && [ "$(readlink "$bin/$1")" = "$here/$1" ]; then
        rm -f "$bin/$1"
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$data/applications/$desktop" "$data/mime/packages/vsm-studio.xml"
    for icon in "$here"/share/icons/hicolor/*/apps/vsm-studio.*; do
        theme_folder=$(basename "$(dirname "$(dirname "$icon")")")
        rm -f "$data/icons/hicolor/$theme_folder/apps/$(basename "$icon")"
    done
    unlink_ours vsm
    unlink_ours vsm-editor
    defaults=${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list  # what `xdg-mime default` wrote
    if [ -n "$mime_type" ] && [ -f "$defaults" ]; then
        sed -i "\|^$mime_type=$desktop;\{0,1\}\$|d" "$defaults"
    fi
    refresh
    echo "VSM Studio: menu entry, .vsm file type, icons and links removed (this folder stays)"
    exit 0
elif [ $# -gt 0 ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi

# The menu entry's Exec line quotes the path; these characters would need escaping there.
case "$here" in
    *[\"\`\$\\%]*)
        echo "install.sh: $here holds one of \" \` \$ \\ %: move the folder to a plainer path first" >&2
        exit 2 ;;
esac
if [ ! -x "$here/vsm-editor" ] || [ ! -x "$here/vsm" ]; then
    echo "install.sh: no vsm-editor and vsm beside this script: run it from the unpacked folder" >&2
    exit 2
fi

mkdir -p "$data/applications" "$data/mime/packages" "$bin"
awk -v exec="\"$here/vsm-editor\" %f" -v try="$here/vsm-editor" '
    /^TryExec=/ { next }
    /^Exec=/ { print "TryExec=" try; print "Exec=" exec; next }
    { print }' "$here/share/applications/$desktop" > "$data/applications/$desktop"
cp "$here/share/mime/packages/vsm-studio.xml" "$data/mime/packages/vsm-studio.xml"
for icon in "$here"/share/icons/hicolor/*/apps/vsm-studio.*; do
    theme_folder=$(basename "$(dirname "$(dirname "$icon")")")
    mkdir -p "$data/icons/hicolor/$theme_folder/apps"
    cp "$icon" "$data/icons/hicolor/$theme_folder/apps/"
done
for program in vsm vsm-editor; do
    if [ -e "$bin/$program" ] && [ ! -L "$bin/$program" ]; then
        echo "install.sh: $bin/$program exists and is not a link: left as it is" >&2
    else
        ln -sfn "$here/$program" "$bin/$program"
    fi
done
refresh
if [ -n "$mime_type" ] && command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default "$desktop" "$mime_type" || true
fi

echo "VSM Studio registered for $(id -un): the menu entry, .vsm files ($mime_type) open in $here/vsm-editor"
case ":$PATH:" in
    *":$bin:"*) echo "vsm and vsm-editor are on your PATH ($bin)" ;;
    *) echo "vsm and vsm-editor are in $bin: add it to your PATH to run them by name" ;;
esac
