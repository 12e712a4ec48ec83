// placeholder: records
