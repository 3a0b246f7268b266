/// A unified diff of two texts, line by line (longest common subsequence), as `diff -u` prints
/// it, for `kiln replay --diff`.

public enum LineDiff {
    /// `--- old` / `+++ new` headers, then ` `, `-` and `+` lines with `context` unchanged lines
    /// around each change, in `@@ -a,b +c,d @@` hunks. Empty when the texts are equal.
    public static func unified(_ old: String, _ new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        guard a != b else { return "" }
        let edits = script(a, b)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var i = 0
        while i < edits.count {
            guard edits[i].op != " " else { i += 1; continue }
            var start = max(0, i - context), end = i
            // Extend the hunk while changes are within 2·context lines of each other.
            while end < edits.count {
                if edits[end].op != " " { end += 1; continue }
                var next = end
                while next < edits.count, edits[next].op == " " { next += 1 }
                if next < edits.count, next - end <= 2 * context { end = next } else { break }
            }
            let stop = min(edits.count, end + context)
            start = max(start, 0)
            let hunk = edits[start..<stop]
            let oldStart = hunk.first?.oldLine ?? 0, newStart = hunk.first?.newLine ?? 0
            let oldCount = hunk.filter { $0.op != "+" }.count, newCount = hunk.filter { $0.op != "-" }.count
            out += "@@ -\(oldCount == 0 ? oldStart : oldStart + 1),\(oldCount) +\(newCount == 0 ? newStart : newStart + 1),\(newCount) @@\n"
            for edit in hunk { out += "\(edit.op)\(edit.text)\n" }
            i = stop
        }
        return out
    }

    private static func lines(_ text: String) -> [String] {
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if result.last == "" { result.removeLast() }
        return result
    }

    private struct Edit {
        var op: Character
        var text: String
        /// Lines of each side before this one (0-based positions).
        var oldLine: Int
        var newLine: Int
    }

    /// The edit script from a longest-common-subsequence table.
    private static func script(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits: [Edit] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                edits.append(Edit(op: " ", text: a[i], oldLine: i, newLine: j)); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                // Deletions before insertions, as diff -u prints a change.
                edits.append(Edit(op: "-", text: a[i], oldLine: i, newLine: j)); i += 1
            } else {
                edits.append(Edit(op: "+", text: b[j], oldLine: i, newLine: j)); j += 1
            }
        }
        return edits
    }
}
