;;; Prepended to every program for CHICKEN 5 (csi -s and csc -O3).
;;; CHICKEN 5 keeps `sort` in (chicken sort) and `with-output-to-string` in
;;; (chicken port); everything else the programs use is in the default scope.
(import (chicken sort) (chicken port))
