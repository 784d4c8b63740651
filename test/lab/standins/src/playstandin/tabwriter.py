"""Go's text/tabwriter as kubeadm and crictl use it (flags 0, padding with spaces).

Every row has the same number of cells, so a table is one column block: each cell but the
last is padded to max(min_width, widest cell + padding); the last cell is written as is.
"""


def table(rows: list, min_width: int = 10, padding: int = 3) -> str:
    """kubeadm's tabwriter.NewWriter(out, 10, 4, 3, ' ', 0); crictl's newTableDisplay(20, 1, 3, ' ', 0)."""
    widths = [max(min_width, max(len(row[i]) for row in rows) + padding) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < len(row) - 1 else cell for i, cell in enumerate(row)]
        lines.append("".join(cells))
    return "\n".join(lines) + "\n"
