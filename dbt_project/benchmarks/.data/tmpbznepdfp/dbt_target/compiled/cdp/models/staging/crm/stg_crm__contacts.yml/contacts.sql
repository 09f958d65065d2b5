
-- Fixture for contacts
select 
    
    cast('1' as character varying)
 as "record_id", 
    
    cast('Văn Anh' as character varying)
 as "first_name", 
    
    cast('NGUYỄN' as character varying)
 as "last_name", 
    
    cast(' An.H.Nguyen+shop@Gmail.com ' as character varying)
 as "email", 
    
    cast('0912 345 678' as character varying)
 as "phone_number", 
    
    cast('912345678' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('lead' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", 
    
    cast('2026-01-01 00:00:00+00' as TIMESTAMP WITH TIME ZONE)
 as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('1' as character varying)
 as "record_id", 
    
    cast('Văn Anh' as character varying)
 as "first_name", 
    
    cast('NGUYỄN' as character varying)
 as "last_name", 
    
    cast(' An.H.Nguyen+shop@Gmail.com ' as character varying)
 as "email", 
    
    cast('0912 345 678' as character varying)
 as "phone_number", 
    
    cast('912345678' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('Customer' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", 
    
    cast('2026-02-01 00:00:00+00' as TIMESTAMP WITH TIME ZONE)
 as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('b.csv' as character varying)
 as "_source_file", 
    
    cast('2.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('2' as character varying)
 as "record_id", 
    
    cast('Thị Hoa' as character varying)
 as "first_name", 
    
    cast('Trần' as character varying)
 as "last_name", 
    
    cast('HOA@yahoo.com' as character varying)
 as "email", 
    
    cast('+84 91 234 5678' as character varying)
 as "phone_number", 
    
    cast('84912345678' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('lead' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", cast(null as TIMESTAMP WITH TIME ZONE) as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('3' as character varying)
 as "record_id", 
    
    cast('Bình' as character varying)
 as "first_name", 
    
    cast('Lê' as character varying)
 as "last_name", 
    
    cast('not an email' as character varying)
 as "email", 
    
    cast('123' as character varying)
 as "phone_number", 
    
    cast('02838234567' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('lead' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", cast(null as TIMESTAMP WITH TIME ZONE) as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"