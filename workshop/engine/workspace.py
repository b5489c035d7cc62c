"""The participant's working tree: where the marked source is kept, which
state the service sources are in, and writing a state without ever losing
what the participant typed.

The marked source is the services' code as the repository has it (fully
instrumented, with WORKSHOP markers). The first time the engine writes a
state it keeps a copy in .workshop/marked/ (ignored by git), so that later
states can be derived even after the service files have changed; if that
copy is missing, the files themselves (when they still carry markers) or
git's HEAD serve.

.workshop/state.json remembers what the engine last wrote to each file. A
file whose text is neither that nor the marked source has been edited by
the participant: the engine refuses to replace it unless forced, and even
then saves it first under .workshop/saved/<time>/.
"""
import glob
import hashlib
import json
import os
import subprocess
import time

import markers

STATE_DIR = ".workshop"


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class WorkspaceError(Exception):
    pass


class Workspace:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.state_dir = os.path.join(self.root, STATE_DIR)
        self.marked_dir = os.path.join(self.state_dir, "marked")
        self.state_path = os.path.join(self.state_dir, "state.json")

    # ---- files -------------------------------------------------------------
    def service_files(self):
        """Relative paths of the service sources that the marked source covers."""
        paths = set()
        for d in markers.SERVICE_DIRS:
            for base in (self.root, self.marked_dir):
                for p in glob.glob(os.path.join(base, d, "src", "*.[ch]")):
                    paths.add(os.path.relpath(p, base))
        return sorted(paths)

    def read(self, rel):
        try:
            with open(os.path.join(self.root, rel), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def _write(self, base, rel, text):
        """Writes through a new file and a rename: never into a file that a
        hard link (a test's copy of the tree) may share."""
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.workshop-tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)

    # ---- the marked source -------------------------------------------------
    def marked_source(self):
        """{rel: text} of every service source, as marked. A file that
        carries markers is the marked source itself (derived states carry
        none), and refreshes the copy in .workshop/marked/; otherwise the
        copy, or git's HEAD, serves."""
        out = {}
        for rel in self.service_files():
            cur = self.read(rel)
            copy_path = os.path.join(self.marked_dir, rel)
            if cur is not None and markers.ANY.search(cur):
                text = cur
                if not os.path.exists(copy_path) or open(copy_path, encoding="utf-8").read() != cur:
                    try:
                        self._write(self.marked_dir, rel, cur)
                    except OSError:
                        pass  # a read-only tree (the workshop-check container) needs no copy
            elif os.path.exists(copy_path):
                with open(copy_path, encoding="utf-8") as f:
                    text = f.read()
            else:
                text = self._from_git(rel) or cur
            if text is None:
                raise WorkspaceError(f"{rel}: neither the file nor a saved copy of its marked source exists")
            out[rel] = text
        if not any(markers.ANY.search(t) for t in out.values()):
            raise WorkspaceError("the service sources carry no WORKSHOP markers and no copy of the marked "
                                 "source was saved (.workshop/marked/). Restore them with\n"
                                 "  git checkout -- iss-distance-service gateway geolocator-service frontend")
        return out

    def _from_git(self, rel):
        try:
            r = subprocess.run(["git", "-C", self.root, "show", f"HEAD:{rel}"], capture_output=True,
                               text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return r.stdout if r.returncode == 0 and markers.ANY.search(r.stdout) else None

    # ---- state -------------------------------------------------------------
    def load_state(self):
        try:
            with open(self.state_path, encoding="utf-8") as f:
                return json.load(f)
        except (FileNotFoundError, json.JSONDecodeError):
            return {"state": None, "written": {}}

    def save_state(self, state):
        os.makedirs(self.state_dir, exist_ok=True)
        self._write(self.state_dir, "state.json", json.dumps(state, indent=2, sort_keys=True) + "\n")

    def edited_files(self, marked, state):
        """Files whose text the engine did not write: the participant's work."""
        edited = []
        for rel, source in marked.items():
            cur = self.read(rel)
            if cur is None:
                continue
            known = {sha(source), state["written"].get(rel)}
            if sha(cur) not in known:
                edited.append(rel)
        return edited

    def write_state(self, name, texts, force=False, log=print):
        """Writes {rel: text} as state `name`. Refuses (WorkspaceError) when a
        file to be replaced was edited, unless force; then saves it first.
        Returns the list of files changed."""
        state = self.load_state()
        marked = self.marked_source()
        to_change = [rel for rel, text in texts.items() if self.read(rel) != text]
        edited = [rel for rel in self.edited_files(marked, state) if rel in to_change]
        if edited and not force:
            raise WorkspaceError(
                "these files have changes of yours that this would replace:\n"
                + "".join(f"    {rel}\n" for rel in edited)
                + "  Nothing was changed. To go ahead anyway, add FORCE=1: your versions are saved\n"
                  "  under .workshop/saved/ first.")
        if edited:
            stamp = time.strftime("%Y-%m-%dT%H-%M-%S")
            saved = os.path.join(self.state_dir, "saved", stamp)
            for rel in edited:
                self._write(saved, rel, self.read(rel))
            log(f"workshop: your versions of {len(edited)} file(s) are saved in "
                f"{os.path.relpath(saved, self.root)}/")
        for rel in to_change:
            self._write(self.root, rel, texts[rel])
        state["state"] = name
        state["written"] = {rel: sha(text) for rel, text in texts.items()}
        self.save_state(state)
        return to_change
