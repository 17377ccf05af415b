// 再発送リスト's query in its lateral form (main until 2026-12-02): each ready finding's
// last parcel, the order's parcels, items, address and business days looked up row by
// row. Kept as the reference the report's query is held against (readyQuery.test.ts),
// and for the plan probe (bench/ready-plans.ts). `asOf` and `runId` are trusted here.
export const lateralReadyReference = (runId: number, asOf: string, overdueOnly: boolean) => `
  SELECT f.subject_id AS order_id,
         CASE WHEN f.resolved_at IS NOT NULL THEN '対応済' WHEN f.first_run = ${runId} THEN '新規' ELSE '継続' END AS status,
         f.resolved_by, f.resolution_note, to_char(f.resolved_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS resolved_on,
         EXISTS (SELECT 1 FROM findings n
                 WHERE n.code = 'SHIP_NOT_RESHIPPED' AND n.subject_id = f.subject_id AND n.closed_on IS NULL) AS overdue,
         o.seller_id, o.circle_name,
         p.parcel_ids, to_char(last.received_on, 'YYYY-MM-DD') AS last_received_on,
         (SELECT count(*) FROM jp_calendar c
          WHERE c.is_business_day AND c.day > last.received_on AND c.day <= '${asOf}'::date)::int AS business_days,
         coalesce(i.items, '') AS items, coalesce(i.item_count, 0) AS item_count,
         p.conditions, p.notes,
         a.order_id IS NOT NULL AS has_address,
         a.address_sealed
  FROM findings f
  JOIN orders o ON o.order_id = f.subject_id
  JOIN LATERAL (
    SELECT (pl.received_at AT TIME ZONE 'Asia/Tokyo')::date AS received_on
    FROM parcel_lines pl WHERE pl.parcel_id = f.related_id AND pl.order_ref = f.subject_id
  ) last ON true
  CROSS JOIN LATERAL (
    SELECT string_agg(pl.parcel_id, '、' ORDER BY pl.received_at, pl.parcel_id) AS parcel_ids,
           string_agg(DISTINCT pl.condition, '・') AS conditions,
           coalesce(string_agg(NULLIF(pl.note, ''), ' / ' ORDER BY pl.received_at, pl.parcel_id), '') AS notes
    FROM parcel_lines pl WHERE pl.order_ref = f.subject_id
  ) p
  LEFT JOIN LATERAL (
    SELECT string_agg(oi.item_name || ' ×' || oi.quantity, ' / ' ORDER BY oi.item_id) AS items,
           sum(oi.quantity)::int AS item_count
    FROM order_items oi WHERE oi.order_id = f.subject_id
  ) i ON true
  LEFT JOIN shipping_addresses a ON a.order_id = f.subject_id
  WHERE f.code = 'SHIP_READY' AND f.closed_on IS NULL
    ${overdueOnly ? `AND EXISTS (SELECT 1 FROM findings n WHERE n.code = 'SHIP_NOT_RESHIPPED' AND n.subject_id = f.subject_id AND n.closed_on IS NULL)` : ""}
  ORDER BY f.resolved_at IS NOT NULL, last.received_on, o.seller_id, f.subject_id`
