
  
  create view "bench"."staging"."stg_pos__order_lines__dbt_tmp" as (
    with

source as (
    select * from "bench"."raw_pos"."order_lines"
),

ranked as (
    -- A refund re-exports the whole order, but only its changed lines (the first, which holds
    -- the order-level fields) are stored again: the newest version of each line wins.
    select
        *,
        row_number() over (
            partition by name, line_position
            order by cast(_dlt_load_id as double) desc, _source_file desc
        ) as version_rank
    from source
),

latest_versions as (
    select * from ranked where version_rank = 1
),

renamed as (
    select
        name as order_id,
        line_position,
        email,
        financial_status,
        paid_at,
        fulfillment_status,
        lower(accepts_marketing) = 'yes' as accepts_marketing,
        currency,
        subtotal,
        shipping,
        taxes,
        total,
        discount_code,
        discount_amount,
        coalesce(refunded_amount, 0) as refunded_amount,
        created_at as ordered_at,
        cancelled_at,
        cast(lineitem_quantity as integer) as quantity,
        nfc_normalize(lineitem_name) as product_name,
        lineitem_price as unit_price,
        lineitem_sku as sku,
        nfc_normalize(billing_name) as billing_name,
        nfc_normalize(billing_city) as billing_city,
        billing_country,
        billing_phone,
        location,
        id as shopify_order_id,
        lower(source) as order_source,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        case
        when regexp_matches(lower(trim(email)), '^[^@[:space:]]+@[^@[:space:]]+\.[a-z]{2,}$') then
            case
                when split_part(lower(trim(email)), '@', 2) in ('gmail.com', 'googlemail.com') then replace(split_part(split_part(lower(trim(email)), '@', 1), '+', 1), '.', '')
                else split_part(split_part(lower(trim(email)), '@', 1), '+', 1)
            end || '@' || split_part(lower(trim(email)), '@', 2)
    end as email_normalized,
        case
        when regexp_matches(trim(replace(billing_phone, 'p:', '')), '^\+') then '+' || regexp_replace(billing_phone, '[^0-9]', '', 'g')
        when regexp_replace(billing_phone, '[^0-9]', '', 'g') like '00%' and length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) > 12
            then '+' || substr(regexp_replace(billing_phone, '[^0-9]', '', 'g'), 3)
        when regexp_replace(billing_phone, '[^0-9]', '', 'g') like '84%'
            and length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) in (11, 12)
            then '+' || regexp_replace(billing_phone, '[^0-9]', '', 'g')
        when regexp_replace(billing_phone, '[^0-9]', '', 'g') like '0%'
            and length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) in (10, 11)
            then '+84' || substr(regexp_replace(billing_phone, '[^0-9]', '', 'g'), 2)
        when length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) in (9, 10)
            then '+84' || regexp_replace(billing_phone, '[^0-9]', '', 'g')
    end as phone_normalized,
        nullif(trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(billing_name), 'đ', 'd'), 'Đ', 'D'))), '\s+', ' ', 'g')), '') as name_key
    from renamed
)

select * from normalized
  );
